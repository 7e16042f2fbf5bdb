//! Files for static hosts: alias redirect pages, `_redirects` and `_headers`.

use crate::common::{TestSite, copy_sample_site};

fn sample() -> TestSite {
    let site = TestSite::empty();
    std::fs::remove_dir(site.path("")).unwrap();
    copy_sample_site(&site.path(""));
    site
}

#[test]
fn an_alias_redirects_to_its_page_and_lists_it_in_redirects() {
    let site = sample();
    site.edit(
        "playbooks/onboarding/connect-sso.md",
        "weight: 20",
        "weight: 20\naliases: [/setup/sso/, /sso.html]",
    );
    site.build(&["--base-url", "https://guide.example.com/onboarding/"])
        .expect_ok();
    let page = site.out("setup/sso/index.html");
    assert!(
        page.contains(
            "<meta http-equiv=\"refresh\" content=\"0; url=/onboarding/playbooks/onboarding/connect-sso/\">"
        ),
        "{page}"
    );
    assert!(
        page.contains(
            "<link rel=\"canonical\" href=\"https://guide.example.com/onboarding/playbooks/onboarding/connect-sso/\">"
        ),
        "{page}"
    );
    assert!(site.public().join("sso.html").is_file());
    let redirects = site.out("_redirects");
    assert!(
        redirects
            .contains("/onboarding/setup/sso/ /onboarding/playbooks/onboarding/connect-sso/ 301\n"),
        "{redirects}"
    );
    assert!(
        redirects
            .contains("/onboarding/sso.html /onboarding/playbooks/onboarding/connect-sso/ 301\n"),
        "{redirects}"
    );
}

#[test]
fn an_unpublished_page_has_no_alias_page_and_no_redirect() {
    let site = sample();
    // A new FAQ that nobody proved: held back from a published build, alias and all.
    site.write(
        "content/faq/secret-plan.md",
        "---\ntitle: Secret plan\nphase: onboarding\naliases: [/old/secret-plan/]\n---\n\nNot yet.\n",
    );
    site.build(&[]).expect_ok();
    assert!(!site.public().join("old/secret-plan").exists());
    let redirects = std::fs::read_to_string(site.public().join("_redirects")).unwrap_or_default();
    assert!(!redirects.contains("secret"), "{redirects}");
    // The preview shows it, alias included.
    site.build(&["--preview"]).expect_ok();
    assert!(site.public().join("old/secret-plan/index.html").is_file());
}

#[test]
fn aliases_that_take_another_url_are_errors_at_their_line() {
    let site = sample();
    site.edit(
        "playbooks/onboarding/connect-sso.md",
        "weight: 20",
        "weight: 20\naliases: [/faq/, /playbooks/onboarding/invite-admins/, no-slash]",
    );
    let run = site.run(&["check"]);
    run.expect_code(1);
    let err = &run.stderr;
    for want in [
        "playbooks/onboarding/connect-sso.md:8:11: error[alias-clash]: alias /faq/ is already the FAQ index",
        "error[alias-clash]: alias /playbooks/onboarding/invite-admins/ is already the URL of playbooks/onboarding/invite-admins.md",
        "error[invalid-alias]: alias \"no-slash\" does not start with /",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
}

#[test]
fn headers_allow_exactly_the_inline_scripts_of_the_pages() {
    let site = sample();
    site.build(&[]).expect_ok();
    let headers = site.out("_headers");
    // The policy is the one `serve` sends for the default theme: same directives, same script hash.
    let csp = headers
        .lines()
        .find_map(|l| l.trim().strip_prefix("Content-Security-Policy: "))
        .expect("a policy");
    assert_eq!(csp, shirube::serve::http::CSP, "{headers}");
    // Each hashed search folder is cached for good; pages are left to the host's default.
    let search_dirs: Vec<String> = std::fs::read_dir(site.public().join("search"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert!(!search_dirs.is_empty());
    for dir in &search_dirs {
        assert!(
            headers.contains(&format!(
                "/search/{dir}/*\n  Cache-Control: public, max-age=31536000, immutable\n"
            )),
            "{dir}: {headers}"
        );
    }
    assert_eq!(headers.matches("Cache-Control").count(), search_dirs.len());

    // A theme's own inline script gets its hash in the policy.
    let base = site.read("themes/default/templates/base.html");
    site.write(
        "themes/default/templates/base.html",
        &base.replacen("</body>", "<script>console.log('mine')</script></body>", 1),
    );
    site.build(&[]).expect_ok();
    let headers = site.out("_headers");
    assert!(headers.contains("'sha256-"), "{headers}");
    assert!(!headers.contains(&format!(
        "Content-Security-Policy: {}",
        shirube::serve::http::CSP
    )));

    // Turned off.
    site.edit(
        "shirube.yaml",
        "title: ",
        "hosting: { headers: false, redirects: false }\ntitle: ",
    );
    site.build(&[]).expect_ok();
    assert!(!site.public().join("_headers").exists());
}
