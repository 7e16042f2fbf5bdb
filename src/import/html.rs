//! HTML to Markdown, for Zendesk article bodies: htmd (a maintained HTML-to-Markdown converter on html5ever, the
//! HTML parser of Servo). In its faithful mode, what Markdown cannot say (a table without a header row, a
//! coloured span) stays as HTML, which shirube passes through, rather than being flattened to text.

/// The Markdown of an HTML fragment. `Err` only when the HTML cannot be read at all.
pub fn to_markdown(html: &str) -> Result<String, String> {
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
    let md = converter.convert(html).map_err(|e| e.to_string())?;
    Ok(format!("{}\n", md.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zendesk_bodies_become_markdown_with_tables_images_and_links() {
        let md = to_markdown(concat!(
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
    }
}
