//! The report as one HTML file: styles inline, charts inline SVG ([`super::svg`]), no script, no request to
//! any host. It reads in light and dark schemes and prints on paper.
//!
//! Every figure about pages comes from [`Status`], the value `status --format json` prints, so the two agree.
//! Engagements per month and who proved what come from the manifest; answers and comments from the feedback
//! export. Both are private: the page says so at the top, and `shirube report` never writes it into the
//! published output.

use super::feedback::{Answers, Feedback};
use super::status::{EXPIRY_WARNING_DAYS, Row, Status};
use super::svg::{self, Bar, Chart};
use crate::dates::{format_date, parse_date};
use crate::pipeline::Checked;
use crate::proof::{Engagement, Outcome, State};
use crate::text::escape_attr as esc;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The `<meta name="generator">` of every report: `shirube report` overwrites only a file that carries it.
pub const GENERATOR: &str = "shirube report";

/// Months shown in "proofs over time", ending with the current month.
const MONTHS: i64 = 36;

/// The heatmap's states, in column order.
const STATES: [State; 5] = [
    State::Published,
    State::Stale,
    State::Unproven,
    State::Expired,
    State::Draft,
];

/// The whole report.
pub fn render(c: &Checked, status: &Status, feedback: Option<&Feedback>) -> String {
    let mut out = String::with_capacity(4096 + status.pages.len() * 480);
    let title = format!("{}: proof and feedback report", c.config.title);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"generator\" content=\"{GENERATOR}\"><meta name=\"robots\" content=\"noindex, nofollow\">\
         <meta name=\"color-scheme\" content=\"light dark\"><title>{}</title><style>{}{}</style></head><body>",
        esc(&title),
        STYLE,
        filter_rules(c, status)
    );
    let _ = write!(
        out,
        "<header><div class=\"internal\" role=\"note\"><strong>Internal report. It may name customers and quote readers' \
         comments.</strong> Keep it inside the customer-success team: do not publish it, upload it with the guide \
         or forward it to customers.</div><div class=\"head\"><h1>{}</h1><p>States as of {} · {} gated pages · {} \
         engagements in the manifest{}</p></div></header><main>",
        esc(&title),
        esc(&status.today),
        status.pages.len(),
        c.manifest.engagements.len(),
        feedback.map_or(String::new(), |f| format!(
            " · {} feedback answers from {}",
            f.rows - f.left_out,
            esc(&f.file)
        ))
    );
    nav(&mut out, feedback.is_some());
    summary(&mut out, status);
    heatmap(&mut out, c, status);
    over_time(&mut out, c);
    age(&mut out, c, status);
    prove_next(&mut out, c, status);
    if let Some(f) = feedback {
        helpfulness(&mut out, status, f);
    }
    pages_table(&mut out, c, status);
    let _ = writeln!(
        out,
        "</main><footer><p>Written by shirube report on {} from shirube.yaml, the manifest{}. The same figures: \
         <code>shirube status --format json</code>.</p></footer></body></html>",
        esc(&status.today),
        if feedback.is_some() {
            " and the feedback export"
        } else {
            ""
        }
    );
    out
}

fn nav(out: &mut String, feedback: bool) {
    out.push_str(
        "<nav aria-label=\"Sections\"><ul><li><a href=\"#coverage\">Coverage</a></li>\
         <li><a href=\"#over-time\">Proofs over time</a></li><li><a href=\"#age\">Proof age</a></li>\
         <li><a href=\"#next\">What to prove next</a></li>",
    );
    if feedback {
        out.push_str("<li><a href=\"#helpful\">Helpfulness</a></li>");
    }
    out.push_str("<li><a href=\"#pages\">All gated pages</a></li></ul></nav>");
}

fn summary(out: &mut String, status: &Status) {
    out.push_str("<section aria-labelledby=\"summary-h\"><h2 id=\"summary-h\" class=\"visually-hidden\">Summary</h2><dl class=\"figures\">");
    for s in STATES {
        let n = status.count(s);
        if s == State::Draft && n == 0 {
            continue;
        }
        let _ = write!(
            out,
            "<div class=\"s-{id}\"><dt>{id}</dt><dd data-state=\"{id}\">{n}</dd></div>",
            id = s.id()
        );
    }
    let _ = write!(
        out,
        "<div><dt>to prove</dt><dd>{}</dd></div><div><dt>expiring within {EXPIRY_WARNING_DAYS} days</dt><dd>{}</dd></div></dl></section>",
        status.to_prove.len(),
        status.expiring.len()
    );
}

/// Row index of a phase id in the heatmap: config order, pages without a phase last.
fn phase_index(c: &Checked, phase: Option<&str>) -> usize {
    phase
        .and_then(|p| c.config.phases.iter().position(|d| d.id == p))
        .unwrap_or(c.config.phases.len())
}

fn tier_index(c: &Checked, tier: &str) -> Option<usize> {
    c.config.tiers.iter().position(|t| t.id == tier)
}

/// The CSS that makes a heatmap link show only its cell's rows of the page table: `#f-p0-t1:target` (and
/// `#f-p0-t1-unproven:target`), a note just before the table, hides every other row. No script: the link's
/// fragment is the whole state. (A sibling selector rather than `body:has(...)`: with `:has`, axe-core's check of
/// the 10,000-page report in the browser test took over five minutes here, with this about two.)
fn filter_rules(c: &Checked, status: &Status) -> String {
    let mut css = String::new();
    let phases =
        c.config.phases.len() + usize::from(status.pages.iter().any(|r| r.phase.is_none()));
    for p in 0..phases {
        for t in 0..c.config.tiers.len() {
            let _ = write!(
                css,
                "#f-p{p}-t{t}:target~.scroll tbody tr:not(.p{p}.t{t}){{display:none}}"
            );
            for s in STATES {
                let _ = write!(
                    css,
                    "#f-p{p}-t{t}-{s}:target~.scroll tbody tr:not(.p{p}.t{t}.s-{s}){{display:none}}",
                    s = s.id()
                );
            }
        }
    }
    css
}

fn heatmap(out: &mut String, c: &Checked, status: &Status) {
    let tiers = &c.config.tiers;
    let mut phases: Vec<(Option<&str>, &str)> = c
        .config
        .phases
        .iter()
        .map(|p| (Some(p.id.as_str()), p.name.as_str()))
        .collect();
    if status.pages.iter().any(|r| r.phase.is_none()) {
        phases.push((None, "No phase"));
    }
    // counts[phase][tier][state]
    let mut counts = vec![vec![[0u32; 5]; tiers.len()]; phases.len()];
    // Published pages per cell (stale ones too, under `on_change: warn`).
    let mut live = vec![vec![0u32; tiers.len()]; phases.len()];
    for r in &status.pages {
        let p = phase_index(c, r.phase.as_deref());
        let s = STATES.iter().position(|s| *s == r.state).unwrap_or(0);
        for t in r.tiers.iter().filter_map(|t| tier_index(c, t)) {
            counts[p][t][s] += 1;
            live[p][t] += u32::from(r.published);
        }
    }
    let _ = write!(
        out,
        "<section id=\"coverage\" aria-labelledby=\"coverage-h\"><h2 id=\"coverage-h\">Coverage by phase and tier</h2>\
         <p class=\"note\">Gated playbooks and FAQs per lifecycle phase and touch tier (a page that targets several \
         tiers counts in each). The shade is the share published (live: published, stale pages too under <code>on_change: warn</code>). Each number links to its pages in the table \
         below.</p><div class=\"scroll\"><table class=\"heatmap\"><caption class=\"visually-hidden\">Gated pages by \
         phase and tier</caption><thead><tr><th scope=\"col\">Phase</th>"
    );
    for t in tiers {
        let _ = write!(
            out,
            "<th scope=\"col\">{}<span class=\"sub\">{}</span></th>",
            esc(&t.name),
            esc(&t.id)
        );
    }
    out.push_str("</tr></thead><tbody>");
    for (pi, (pid, pname)) in phases.iter().enumerate() {
        let _ = write!(out, "<tr><th scope=\"row\">{}</th>", esc(pname));
        for (ti, t) in tiers.iter().enumerate() {
            let cell = &counts[pi][ti];
            let total: u32 = cell.iter().sum();
            let published = live[pi][ti];
            let share = if total == 0 {
                None
            } else {
                Some(f64::from(published) / f64::from(total))
            };
            let level = share.map_or(0, |s| 1 + (s * 4.0).round() as u32);
            let _ = write!(
                out,
                "<td class=\"heat h{level}\" data-phase=\"{}\" data-tier=\"{}\" data-total=\"{total}\" data-live=\"{published}\"",
                esc(pid.unwrap_or("")),
                esc(&t.id)
            );
            for (si, s) in STATES.iter().enumerate() {
                let _ = write!(out, " data-{}=\"{}\"", s.id(), cell[si]);
            }
            out.push('>');
            if total == 0 {
                out.push_str("<span class=\"none\">no pages</span></td>");
                continue;
            }
            let _ = write!(
                out,
                "<a class=\"total\" href=\"#f-p{pi}-t{ti}\">{total} page{}</a> <span class=\"pct\">{}% live</span><ul>",
                if total == 1 { "" } else { "s" },
                (f64::from(published) * 100.0 / f64::from(total)).round()
            );
            for (si, s) in STATES.iter().enumerate() {
                let n = cell[si];
                if n == 0 && (*s == State::Draft || *s == State::Stale) {
                    continue;
                }
                if n == 0 {
                    let _ = write!(out, "<li>{} 0</li>", s.id());
                } else {
                    let _ = write!(
                        out,
                        "<li><a href=\"#f-p{pi}-t{ti}-{id}\">{id} {n}</a></li>",
                        id = s.id()
                    );
                }
            }
            out.push_str("</ul></td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div><p class=\"legend\"><span class=\"heat h1 swatch\"></span> none published <span class=\"heat h3 swatch\"></span> half <span class=\"heat h5 swatch\"></span> all published</p></section>");
}

/// The month (`YYYY-MM`) of a day number.
fn month_of(day: i64) -> String {
    format_date(day)[..7].to_string()
}

/// The month after `YYYY-MM`.
fn next_month(m: &str) -> String {
    let (y, mo) = m.split_at(4);
    let (y, mo): (i64, i64) = (y.parse().unwrap_or(1970), mo[1..].parse().unwrap_or(1));
    if mo == 12 {
        format!("{:04}-01", y + 1)
    } else {
        format!("{y:04}-{:02}", mo + 1)
    }
}

fn over_time(out: &mut String, c: &Checked) {
    let now = month_of(c.today);
    let mut by_month: BTreeMap<String, [u32; 3]> = BTreeMap::new();
    for e in &c.manifest.engagements {
        by_month.entry(month_of(e.date)).or_default()[e.outcome as usize] += 1;
    }
    // The last MONTHS months up to now, or from the first engagement when that is later.
    let first = by_month
        .keys()
        .next()
        .cloned()
        .unwrap_or_else(|| now.clone());
    let mut start = now.clone();
    for _ in 1..MONTHS {
        let prev = prev_month(&start);
        if prev < first {
            break;
        }
        start = prev;
    }
    let mut months = Vec::new();
    let mut m = start.clone();
    while m <= now {
        months.push(m.clone());
        m = next_month(&m);
    }
    let earlier: u32 = by_month
        .range(..start.clone())
        .map(|(_, v)| v.iter().sum::<u32>())
        .sum();
    let later: u32 = by_month
        .range(next_month(&now)..)
        .map(|(_, v)| v.iter().sum::<u32>())
        .sum();
    let bars: Vec<Bar> = months
        .iter()
        .map(|m| {
            let v = by_month.get(m).copied().unwrap_or_default();
            Bar {
                label: m.clone(),
                parts: vec![("c-success", v[0]), ("c-partial", v[1]), ("c-failed", v[2])],
            }
        })
        .collect();
    let shown: [u32; 3] = months.iter().fold([0; 3], |mut acc, m| {
        if let Some(v) = by_month.get(m) {
            for i in 0..3 {
                acc[i] += v[i];
            }
        }
        acc
    });
    let desc = format!(
        "{} to {}: {} successful, {} partial, {} failed engagements",
        start, now, shown[0], shown[1], shown[2]
    );
    let _ = write!(
        out,
        "<section id=\"over-time\" aria-labelledby=\"over-time-h\"><h2 id=\"over-time-h\">Proofs over time</h2>\
         <p class=\"note\">Engagements recorded in the manifest per month, by outcome. Only successful ones are proof.</p>{}{}\
         <p class=\"legend\"><span class=\"swatch c-success\"></span> success <span class=\"swatch c-partial\"></span> partial \
         <span class=\"swatch c-failed\"></span> failed</p>",
        svg::stacked_bars(&Chart {
            id: "months",
            title: "Engagements per month by outcome",
            desc: &desc,
            bars: &bars,
            marker: None,
            edge_labels: false,
        }),
        if earlier + later > 0 {
            format!(
                "<p class=\"note\">Not shown: {earlier} engagement{} before {start}{}.</p>",
                if earlier == 1 { "" } else { "s" },
                if later > 0 {
                    format!(", {later} dated after {now}")
                } else {
                    String::new()
                }
            )
        } else {
            String::new()
        }
    );
    out.push_str("<details><summary>The numbers</summary><table class=\"data\"><thead><tr><th scope=\"col\">Month</th><th scope=\"col\">Success</th><th scope=\"col\">Partial</th><th scope=\"col\">Failed</th></tr></thead><tbody>");
    for m in &months {
        let v = by_month.get(m).copied().unwrap_or_default();
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{m}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
            v[0], v[1], v[2]
        );
    }
    out.push_str("</tbody></table></details></section>");
}

fn prev_month(m: &str) -> String {
    let (y, mo) = m.split_at(4);
    let (y, mo): (i64, i64) = (y.parse().unwrap_or(1970), mo[1..].parse().unwrap_or(1));
    if mo == 1 {
        format!("{:04}-12", y - 1)
    } else {
        format!("{y:04}-{:02}", mo - 1)
    }
}

fn age(out: &mut String, c: &Checked, status: &Status) {
    let max_age = i64::from(c.config.proof.max_age_days);
    let today = c.today;
    let ages: Vec<i64> = status
        .pages
        .iter()
        .filter_map(|r| r.newest_proof.as_deref().and_then(parse_date))
        .map(|d| (today - d).max(0))
        .collect();
    let width: i64 = if max_age <= 720 {
        30
    } else {
        (max_age / 24).max(1)
    };
    // Bins up to max_age and a little beyond; the last one holds everything older.
    let bins = (max_age / width + 1 + 3) as usize;
    let mut counts = vec![[0u32; 3]; bins];
    for a in &ages {
        let b = ((a / width) as usize).min(bins - 1);
        let class = if *a > max_age {
            2
        } else if *a > max_age - EXPIRY_WARNING_DAYS {
            1
        } else {
            0
        };
        counts[b][class] += 1;
    }
    let never = status.pages.len() - ages.len();
    let bars: Vec<Bar> = counts
        .iter()
        .enumerate()
        .map(|(i, v)| Bar {
            label: format!("{}", i as i64 * width),
            parts: vec![("c-fresh", v[0]), ("c-expiring", v[1]), ("c-expired", v[2])],
        })
        .collect();
    let totals = counts.iter().fold([0u32; 3], |mut acc, v| {
        for i in 0..3 {
            acc[i] += v[i];
        }
        acc
    });
    let desc = format!(
        "Age of each gated page's newest successful proof, in bins of {width} days: {} within limits, {} within {EXPIRY_WARNING_DAYS} days of max_age_days {max_age}, {} older; {never} pages never proven",
        totals[0], totals[1], totals[2]
    );
    let _ = write!(
        out,
        "<section id=\"age\" aria-labelledby=\"age-h\"><h2 id=\"age-h\">Proof age</h2><p class=\"note\">How old each \
         gated page's newest successful proof is, in days, against <code>max_age_days: {max_age}</code>: a page \
         whose proofs are all older is no longer published. {never} gated page{} {} no successful proof at all.</p>{}\
         <p class=\"legend\"><span class=\"swatch c-fresh\"></span> fresh <span class=\"swatch c-expiring\"></span> \
         expires within {EXPIRY_WARNING_DAYS} days <span class=\"swatch c-expired\"></span> older than max_age_days</p>",
        if never == 1 { "" } else { "s" },
        if never == 1 { "has" } else { "have" },
        svg::stacked_bars(&Chart {
            id: "ages",
            title: "Age of the newest proof, in days",
            desc: &desc,
            bars: &bars,
            marker: Some((
                max_age as f64 / width as f64,
                format!("max_age_days {max_age}")
            )),
            edge_labels: true,
        })
    );
    out.push_str("<details><summary>The numbers</summary><table class=\"data\"><thead><tr><th scope=\"col\">Age (days)</th><th scope=\"col\">Fresh</th><th scope=\"col\">Expires soon</th><th scope=\"col\">Older</th></tr></thead><tbody>");
    for (i, v) in counts.iter().enumerate() {
        let lo = i as i64 * width;
        let label = if i + 1 == bins {
            format!("{lo} and more")
        } else {
            format!("{lo}–{}", lo + width - 1)
        };
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{label}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
            v[0], v[1], v[2]
        );
    }
    out.push_str("</tbody></table></details></section>");
}

/// Per page: the newest engagement that used it (any outcome), and the newest successful one of a tier it
/// targets. Private: names customers.
struct Who<'a> {
    last_used: BTreeMap<&'a str, &'a Engagement>,
    last_proof: BTreeMap<&'a str, &'a Engagement>,
}

fn who<'a>(c: &'a Checked, status: &'a Status) -> Who<'a> {
    let targets: BTreeMap<&str, Vec<usize>> = c
        .pages
        .iter()
        .map(|p| (p.src.as_str(), p.tiers.clone()))
        .collect();
    let wanted: std::collections::BTreeSet<&str> = status
        .to_prove
        .iter()
        .chain(&status.expiring)
        .map(String::as_str)
        .collect();
    let mut w = Who {
        last_used: BTreeMap::new(),
        last_proof: BTreeMap::new(),
    };
    for e in &c.manifest.engagements {
        for u in &e.used {
            let Some(&path) = wanted.get(u.path.as_str()) else {
                continue;
            };
            let newer = |old: Option<&&Engagement>| old.is_none_or(|o| e.date >= o.date);
            if newer(w.last_used.get(path)) {
                w.last_used.insert(path, e);
            }
            if e.outcome == Outcome::Success
                && targets.get(path).is_some_and(|t| t.contains(&e.tier))
                && newer(w.last_proof.get(path))
            {
                w.last_proof.insert(path, e);
            }
        }
    }
    w
}

fn engagement_text(c: &Checked, e: &Engagement) -> String {
    let mut s = format!(
        "{} · {} · {}",
        esc(&e.id),
        format_date(e.date),
        e.outcome.as_str()
    );
    if let Some(customer) = e.customer.as_deref().filter(|s| !s.is_empty()) {
        let _ = write!(s, " · {}", esc(customer));
    }
    if let Some(csm) = e.csm.as_deref().filter(|s| !s.is_empty()) {
        let _ = write!(s, " (CSM {})", esc(csm));
    }
    let _ = write!(s, " · {} tier", esc(&c.config.tiers[e.tier].id));
    s
}

fn page_link(r: &Row) -> String {
    format!(
        "<a href=\"#row-{}\">{}</a><span class=\"path\">{}</span>",
        row_id(&r.path),
        esc(&r.title),
        esc(&r.path)
    )
}

/// A fragment id for a page's row in the table.
fn row_id(path: &str) -> String {
    path.chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect()
}

fn prove_next(out: &mut String, c: &Checked, status: &Status) {
    let w = who(c, status);
    let rows: Vec<&Row> = status
        .to_prove
        .iter()
        .filter_map(|p| status.row(p))
        .collect();
    let (near, far): (Vec<&Row>, Vec<&Row>) = rows.into_iter().partition(|r| r.needs <= 1);
    let _ = write!(
        out,
        "<section id=\"next\" aria-labelledby=\"next-h\"><h2 id=\"next-h\">What to prove next</h2>\
         <h3 id=\"near-h\">One engagement away ({})</h3><p class=\"note\">Unpublished pages that one more successful \
         engagement publishes: pages held back since a change first, then the most used.</p>",
        near.len()
    );
    let table = |out: &mut String, id: &str, rows: &[&Row]| {
        if rows.is_empty() {
            out.push_str("<p class=\"empty\">None.</p>");
            return;
        }
        let _ = write!(
            out,
            "<div class=\"scroll\"><table class=\"data\" id=\"{id}\"><thead><tr><th scope=\"col\">#</th><th scope=\"col\">Page</th>\
             <th scope=\"col\">State</th><th scope=\"col\">Needs</th><th scope=\"col\">Used in</th><th scope=\"col\">What would publish it</th>\
             <th scope=\"col\">Last used in</th></tr></thead><tbody>"
        );
        for (i, r) in rows.iter().enumerate() {
            let _ = write!(
                out,
                "<tr data-path=\"{}\" data-needs=\"{}\"><td>{}</td><td>{}</td><td><span class=\"state s-{st}\">{st}</span></td>\
                 <td>{}</td><td>{} ({} success, {} partial, {} failed)</td><td>{}</td><td>{}</td></tr>",
                esc(&r.path),
                r.needs,
                i + 1,
                page_link(r),
                r.needs,
                r.uses.total(),
                r.uses.success,
                r.uses.partial,
                r.uses.failed,
                esc(&r.reason),
                w.last_used
                    .get(r.path.as_str())
                    .map_or("never used".to_string(), |e| engagement_text(c, e)),
                st = r.state.id()
            );
        }
        out.push_str("</tbody></table></div>");
    };
    table(out, "prove-near", &near);
    let _ = write!(
        out,
        "<h3>Further away ({})</h3><p class=\"note\">Pages that need more than one successful engagement \
         (<code>min_proofs: {}</code>).</p>",
        far.len(),
        c.config.proof.min_proofs
    );
    table(out, "prove-far", &far);
    let _ = write!(
        out,
        "<h3 id=\"expiring-h\">Proof expiring within {EXPIRY_WARNING_DAYS} days ({})</h3><p class=\"note\">Published \
         pages that leave the guide unless proven again, soonest first, with the engagement that last proved them.</p>",
        status.expiring.len()
    );
    if status.expiring.is_empty() {
        out.push_str("<p class=\"empty\">None.</p>");
    } else {
        out.push_str("<div class=\"scroll\"><table class=\"data\" id=\"expiring\"><thead><tr><th scope=\"col\">Page</th><th scope=\"col\">Expires in</th><th scope=\"col\">Newest proof</th><th scope=\"col\">Last proven in</th></tr></thead><tbody>");
        for r in status.expiring.iter().filter_map(|p| status.row(p)) {
            let days = r.expires_in_days.unwrap_or(0);
            let _ = write!(
                out,
                "<tr data-path=\"{}\" data-expires=\"{days}\"><td>{}</td><td>{days} day{}</td><td>{}</td><td>{}</td></tr>",
                esc(&r.path),
                page_link(r),
                if days == 1 { "" } else { "s" },
                r.newest_proof.as_deref().unwrap_or("-"),
                w.last_proof
                    .get(r.path.as_str())
                    .map_or("-".to_string(), |e| engagement_text(c, e)),
            );
        }
        out.push_str("</tbody></table></div>");
    }
    out.push_str("</section>");
}

fn helpfulness(out: &mut String, status: &Status, f: &Feedback) {
    // Pages by yes rate, lowest first; more answers first among equals (surer figures first).
    let mut pages: Vec<(&str, &Answers)> = f.pages.iter().map(|(k, v)| (k.as_str(), v)).collect();
    pages.sort_by(|a, b| {
        let (ha, hb) = (a.1.helpful(), b.1.helpful());
        ha.rate
            .total_cmp(&hb.rate)
            .then(hb.answers().cmp(&ha.answers()))
            .then(a.0.cmp(b.0))
    });
    let answers: u32 = f.pages.values().map(|a| a.yes + a.no).sum();
    let _ = write!(
        out,
        "<section id=\"helpful\" aria-labelledby=\"helpful-h\"><h2 id=\"helpful-h\">Helpfulness</h2><p class=\"note\">\
         \"Was this helpful?\" answers from {} per playbook and FAQ, lowest yes rate first, with readers' comments \
         (private). {answers} answer{} about {} page{}.{}</p>",
        esc(&f.file),
        if answers == 1 { "" } else { "s" },
        pages.len(),
        if pages.len() == 1 { "" } else { "s" },
        if f.left_out > 0 {
            format!(
                " {} row{} left out (a bad row, of which shirube printed a warning, or a value mapped to nothing).",
                f.left_out,
                if f.left_out == 1 { " was" } else { "s were" }
            )
        } else {
            String::new()
        }
    );
    if pages.is_empty() {
        out.push_str("<p class=\"empty\">No answer names a playbook or FAQ of this guide.</p>");
    } else {
        out.push_str("<div class=\"scroll\"><table class=\"data\" id=\"helpful-table\"><thead><tr><th scope=\"col\">Page</th><th scope=\"col\">Yes rate</th><th scope=\"col\">Answers</th><th scope=\"col\">Comments</th></tr></thead><tbody>");
        for (path, a) in &pages {
            let h = a.helpful();
            let title = status.row(path).map_or_else(
                || format!("{}<span class=\"path\">{}</span>", esc(path), "not gated"),
                page_link,
            );
            let pct = (h.rate * 100.0).round();
            let _ = write!(
                out,
                "<tr data-path=\"{}\" data-yes=\"{}\" data-no=\"{}\"><td>{title}</td><td class=\"rate\">{} {pct}%</td>\
                 <td>{} ({} yes, {} no)</td><td>{}</td></tr>",
                esc(path),
                h.yes,
                h.no,
                svg::share_bar(h.rate, "c-yes", &format!("{pct}% yes")),
                h.answers(),
                h.yes,
                h.no,
                comments(a)
            );
        }
        out.push_str("</tbody></table></div>");
    }
    if !f.elsewhere.is_empty() {
        out.push_str("<h3>Answers about other URLs</h3><p class=\"note\">These name no playbook or FAQ of this guide: pages since moved or removed, or another site's answers in the same form.</p><ul class=\"elsewhere\">");
        for (url, a) in &f.elsewhere {
            let _ = write!(
                out,
                "<li><code>{}</code>: {} yes, {} no{}</li>",
                esc(url),
                a.yes,
                a.no,
                if a.comments.is_empty() {
                    String::new()
                } else {
                    comments(a)
                }
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>");
}

fn comments(a: &Answers) -> String {
    if a.comments.is_empty() {
        return String::new();
    }
    let mut s = format!(
        "<details><summary>{} comment{}</summary><ul class=\"comments\">",
        a.comments.len(),
        if a.comments.len() == 1 { "" } else { "s" }
    );
    for c in &a.comments {
        let _ = write!(
            s,
            "<li><span class=\"answer {}\">{}</span> {}{}</li>",
            if c.yes { "yes" } else { "no" },
            if c.yes { "yes" } else { "no" },
            c.date.map_or(String::new(), |d| format!(
                "<time>{}</time> ",
                format_date(d)
            )),
            esc(&c.text)
        );
    }
    s.push_str("</ul></details>");
    s
}

fn pages_table(out: &mut String, c: &Checked, status: &Status) {
    let _ = write!(
        out,
        "<section id=\"pages\" aria-labelledby=\"pages-h\"><h2 id=\"pages-h\">All gated pages ({})</h2>",
        status.pages.len()
    );
    // The filter notes: one shows when a heatmap link targets it.
    let phases =
        c.config.phases.len() + usize::from(status.pages.iter().any(|r| r.phase.is_none()));
    let phase_name = |p: usize| {
        c.config
            .phases
            .get(p)
            .map_or("No phase", |d| d.name.as_str())
    };
    for p in 0..phases {
        for (t, tier) in c.config.tiers.iter().enumerate() {
            let _ = write!(
                out,
                "<p class=\"filter\" id=\"f-p{p}-t{t}\">Showing {} × {} only. <a href=\"#pages\">Show all pages</a></p>",
                esc(phase_name(p)),
                esc(&tier.name)
            );
            for s in STATES {
                let _ = write!(
                    out,
                    "<p class=\"filter\" id=\"f-p{p}-t{t}-{id}\">Showing {id} pages of {} × {} only. <a href=\"#pages\">Show all pages</a></p>",
                    esc(phase_name(p)),
                    esc(&tier.name),
                    id = s.id()
                );
            }
        }
    }
    let tiers: Vec<&str> = c.config.tiers.iter().map(|t| t.id.as_str()).collect();
    let _ = write!(
        out,
        "<div class=\"scroll\"><table class=\"data pages\"><thead><tr><th scope=\"col\">Page</th><th scope=\"col\">Phase</th>\
         <th scope=\"col\">Tiers</th><th scope=\"col\">State</th><th scope=\"col\">Proofs ({})</th><th scope=\"col\">Newest proof</th>\
         <th scope=\"col\">Expires in</th><th scope=\"col\">Used in</th><th scope=\"col\">Helpful</th></tr></thead><tbody>",
        tiers.join("/")
    );
    for r in &status.pages {
        let p = phase_index(c, r.phase.as_deref());
        let classes: Vec<String> = r
            .tiers
            .iter()
            .filter_map(|t| tier_index(c, t))
            .map(|t| format!("t{t}"))
            .collect();
        let proofs: Vec<String> = tiers
            .iter()
            .map(|t| r.proofs.get(*t).copied().unwrap_or(0).to_string())
            .collect();
        let expires = match r.expires_in_days {
            Some(d) if d < 0 => "expired".to_string(),
            Some(d) => format!("{d} d"),
            None => "-".to_string(),
        };
        let _ = write!(
            out,
            "<tr id=\"row-{}\" class=\"p{p} {} s-{st}\"><td>{}<span class=\"path\">{}</span></td><td>{}</td><td>{}</td>\
             <td><span class=\"state s-{st}\">{st}</span></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            row_id(&r.path),
            classes.join(" "),
            esc(&r.title),
            esc(&r.path),
            esc(r.phase.as_deref().unwrap_or("-")),
            esc(&r.tiers.join(", ")),
            proofs.join("/"),
            r.newest_proof.as_deref().unwrap_or("-"),
            expires,
            r.uses.total(),
            r.helpful.map_or("-".to_string(), |h| format!(
                "{}% of {}",
                (h.rate * 100.0).round(),
                h.answers()
            )),
            st = r.state.id()
        );
    }
    out.push_str("</tbody></table></div></section>");
}

/// The style sheet: light by default, dark with `prefers-color-scheme`, plain on paper. Colours keep 4.5:1
/// contrast for text in both schemes.
const STYLE: &str = r#"
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#4b5563;--line:#d0d7de;--panel:#f6f8fa;--link:#0a58ca;
--warn-bg:#fff4ce;--warn-fg:#5c3c00;--stale-fg:#7d5700;--success:#1a7f37;--partial:#bf8700;--failed:#cf222e;--fresh:#1a7f37;--expiring:#bf8700;--expired:#cf222e;--yes:#1a7f37;--track:#e5e7eb;
--h0:#f3f4f6;--h1:#fde2e1;--h2:#fbe7c6;--h3:#fdf6b2;--h4:#d9f2d0;--h5:#b7e4c7;--hfg:#1b1f24}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9da7b3;--line:#30363d;--panel:#161b22;--link:#6cb6ff;
--warn-bg:#3b2e00;--warn-fg:#f8e3a1;--stale-fg:#e3b341;--success:#3fb950;--partial:#d29922;--failed:#f85149;--fresh:#3fb950;--expiring:#d29922;--expired:#f85149;--yes:#3fb950;--track:#30363d;
--h0:#1f242c;--h1:#4c1d1d;--h2:#4a3511;--h3:#3f3d12;--h4:#1f3d24;--h5:#185c2e;--hfg:#f0f3f6}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI","Hiragino Sans","Noto Sans CJK JP",sans-serif}
a{color:var(--link)}
.internal{background:var(--warn-bg);color:var(--warn-fg);padding:.6rem 1rem;border-bottom:2px solid var(--partial)}
header .head,main,footer,nav{max-width:1200px;margin:0 auto;padding:0 1rem}
h1{font-size:1.6rem;margin:1rem 0 .2rem}h2{font-size:1.3rem;margin:2rem 0 .5rem;border-bottom:1px solid var(--line)}h3{font-size:1.05rem;margin:1.2rem 0 .3rem}
header .head p,.note,.legend,footer{color:var(--muted)}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:.3rem 1rem;padding:0;margin:.5rem 0}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.figures{display:flex;flex-wrap:wrap;gap:.6rem;margin:1rem 0}
.figures div{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:.4rem .8rem;min-width:7rem}
.figures dt{color:var(--muted);font-size:.85rem}.figures dd{margin:0;font-size:1.4rem;font-weight:700}
.scroll{overflow-x:auto}
table{border-collapse:collapse}
.heatmap th,.heatmap td{border:1px solid var(--line);padding:.4rem .6rem;vertical-align:top;text-align:left}
.heatmap thead th{background:var(--panel)}.heatmap .sub{display:block;font-weight:400;color:var(--muted);font-size:.8rem}
.heat{color:var(--hfg);min-width:9rem}.heat a{color:inherit}.heat ul{list-style:none;margin:.2rem 0 0;padding:0;font-size:.85rem}.heat li{line-height:24px}.heat a{display:inline-block;min-height:24px;line-height:24px;min-width:24px}
.heat .total{font-weight:700}.heat .pct{font-size:.8rem}.h0{background:var(--h0)}.h1{background:var(--h1)}.h2{background:var(--h2)}.h3{background:var(--h3)}.h4{background:var(--h4)}.h5{background:var(--h5)}
.swatch{display:inline-block;width:.9rem;height:.9rem;border:1px solid var(--line);vertical-align:middle;min-width:0}
span.c-success,span.c-fresh{background:var(--success)}span.c-partial,span.c-expiring{background:var(--partial)}span.c-failed,span.c-expired{background:var(--failed)}
.chart{width:100%;height:auto;max-width:900px;display:block;margin:.5rem 0}
.chart .grid{stroke:var(--line);stroke-width:1}.chart .axis-line{stroke:var(--muted)}.chart .axis{fill:currentColor;font-size:11px}
.chart .marker{stroke:var(--fg);stroke-dasharray:4 3;stroke-width:1.5}
rect.c-success,rect.c-fresh,rect.c-yes{fill:var(--success)}rect.c-partial,rect.c-expiring{fill:var(--partial)}rect.c-failed,rect.c-expired{fill:var(--failed)}
.share{width:6rem;height:.7rem;vertical-align:middle}.share .track{fill:var(--track)}
table.data{margin:.4rem 0;font-size:.9rem}table.data th,table.data td{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
table.data thead th{background:var(--panel)}
.path{display:block;color:var(--muted);font-size:.8rem;font-family:ui-monospace,monospace}
.state{font-weight:600}.s-published .state,span.s-published{color:var(--success)}span.s-unproven,span.s-expired{color:var(--failed)}span.s-stale{color:var(--stale-fg)}
.answer.no{color:var(--failed);font-weight:600}.answer.yes{color:var(--success);font-weight:600}
.comments{margin:.3rem 0;padding-left:1.1rem}.empty{color:var(--muted)}
.filter{display:none;background:var(--warn-bg);color:var(--warn-fg);padding:.4rem .8rem;border-radius:4px}.filter:target{display:block}.filter a{color:inherit}
details summary{cursor:pointer;color:var(--muted)}
footer{margin:2rem auto;font-size:.85rem}
@media print{:root{--bg:#fff;--fg:#000;--muted:#333;--line:#999;--panel:#eee;--link:#000;--h0:#f3f4f6;--h1:#fde2e1;--h2:#fbe7c6;--h3:#fdf6b2;--h4:#d9f2d0;--h5:#b7e4c7;--hfg:#000;
--success:#1a7f37;--partial:#9a6700;--failed:#cf222e;--warn-bg:#fff;--warn-fg:#000}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}nav,.filter{display:none!important}a{text-decoration:none}
.internal{border:2px solid #000}section{break-inside:auto}.chart,.heatmap,tr{break-inside:avoid}h2,h3{break-after:avoid}}
"#;
