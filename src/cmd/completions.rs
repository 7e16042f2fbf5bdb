//! `shirube completions SHELL` and `shirube man`: generated from the command-line definitions that
//! [`crate::cli`] hands over, so they always match what the binary accepts.

use std::process::ExitCode;

/// Prints the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell, mut cmd: clap::Command) -> ExitCode {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "shirube", &mut out);
    print(&out)
}

/// Prints the man page, `shirube(1)`, subcommands included.
pub fn man(cmd: clap::Command) -> ExitCode {
    let mut out = Vec::new();
    if let Err(e) = clap_mangen::Man::new(cmd.clone()).render(&mut out) {
        say!("error: cannot write the man page: {e}");
        return ExitCode::from(1);
    }
    // One section per subcommand, after the main page.
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let page = clap_mangen::Man::new(sub.clone());
        out.extend_from_slice(
            format!(".SH \"SHIRUBE {}\"\n", sub.get_name().to_uppercase()).as_bytes(),
        );
        if let Err(e) = page
            .render_description_section(&mut out)
            .and_then(|()| page.render_options_section(&mut out))
        {
            say!("error: cannot write the man page: {e}");
            return ExitCode::from(1);
        }
    }
    print(&out)
}

fn print(bytes: &[u8]) -> ExitCode {
    match crate::console::out_or_fail(&String::from_utf8_lossy(bytes)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}
