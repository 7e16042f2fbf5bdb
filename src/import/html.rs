//! HTML to Markdown, for Zendesk article bodies: htmd (a maintained HTML-to-Markdown converter on html5ever, the
//! HTML parser of Servo). In its faithful mode, what Markdown cannot say (a table without a header row, a
//! coloured span) stays as HTML, which shirube passes through, rather than being flattened to text.

/// The Markdown of an HTML fragment, and how many tables without a header row got their first row as header
/// (a Markdown table needs one; help-centre editors rarely mark it). `Err` only when the HTML cannot be read.
pub fn to_markdown(html: &str) -> Result<(String, usize), String> {
    let (html, promoted) = promote_header_rows(html);
    let converter = htmd::HtmlToMarkdown::builder()
        .skip_tags(vec!["script", "style", "iframe", "object", "embed", "form"])
        .options(htmd::options::Options {
            bullet_list_marker: htmd::options::BulletListMarker::Dash,
            ul_bullet_spacing: 1,
            ol_number_spacing: 1,
            translation_mode: htmd::options::TranslationMode::Faithful,
            ..Default::default()
        })
        .build();
    let md = converter.convert(&html).map_err(|e| e.to_string())?;
    Ok((format!("{}\n", md.trim()), promoted))
}

/// In each `<table>` without `<th>`, the cells of the first row become header cells.
fn promote_header_rows(html: &str) -> (String, usize) {
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    let mut n = 0;
    while let Some(start) = lower[at..].find("<table").map(|i| at + i) {
        let Some(end) = lower[start..].find("</table>").map(|i| start + i) else {
            break;
        };
        out.push_str(&html[at..start]);
        let table = &html[start..end];
        let tl = &lower[start..end];
        let row = tl
            .find("<tr")
            .and_then(|r| tl[r..].find("</tr>").map(|e| (r, r + e)));
        match row {
            Some((r, e)) if !tl.contains("<th") => {
                out.push_str(&table[..r]);
                out.push_str(
                    &table[r..e]
                        .replace("<td", "<th")
                        .replace("</td>", "</th>")
                        .replace("<TD", "<th")
                        .replace("</TD>", "</th>"),
                );
                out.push_str(&table[e..]);
                n += 1;
            }
            _ => out.push_str(table),
        }
        at = end;
    }
    out.push_str(&html[at..]);
    (out, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zendesk_bodies_become_markdown_with_tables_images_and_links() {
        let (md, _) = to_markdown(concat!(
            "<h2>設定の手順</h2><p>管理画面で<strong>設定</strong>を開きます。</p>",
            "<ol><li>Open <a href=\"/hc/ja/articles/2-x\">the other article</a></li><li>Save</li></ol>",
            "<table><thead><tr><th>Plan</th><th>Seats</th></tr></thead><tbody><tr><td>Pro</td><td>50</td></tr></tbody></table>",
            "<p><img src=\"https://help.example.com/hc/article_attachments/9/a.png\" alt=\"screen\"></p>",
            "<script>alert(1)</script>"
        ))
        .unwrap();
        assert!(md.contains("## 設定の手順"), "{md}");
        assert!(md.contains("管理画面で**設定**を開きます。"), "{md}");
        assert!(
            md.contains("1. Open [the other article](/hc/ja/articles/2-x)"),
            "{md}"
        );
        assert!(md.contains("| Plan | Seats |"), "{md}");
        assert!(
            md.contains("![screen](https://help.example.com/hc/article_attachments/9/a.png)"),
            "{md}"
        );
        assert!(!md.contains("alert"), "{md}");
        let (md, promoted) = to_markdown("<table><tbody><tr><td>手順</td><td>内容</td></tr><tr><td>1</td><td>設定</td></tr></tbody></table>").unwrap();
        assert_eq!(promoted, 1);
        assert!(
            md.contains("| 手順 | 内容 |\n| -- | -- |\n| 1  | 設定 |"),
            "{md}"
        );
    }
}
