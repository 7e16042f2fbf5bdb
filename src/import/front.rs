//! Front matter of the source sites: YAML between `---` lines, TOML between `+++` lines (Hugo), or a JSON object
//! (Hugo), read into one loose JSON map, so that every importer maps the same keys the same way.

use serde_json::{Map, Value};

/// A source file split into its front matter (as a loose map) and its body.
pub struct Split {
    /// The front matter's keys and values; empty when the file has none.
    pub front: Map<String, Value>,
    /// The text after the front matter.
    pub body: String,
    /// 1-based line of the file where the body starts.
    pub body_line: usize,
}

/// Splits `text` (the whole file) into front matter and body. `Err` says what is wrong with the front matter, with
/// its line, for the report; the file is then imported with its text as the body.
pub fn split(text: &str) -> Result<Split, (usize, String)> {
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().next().unwrap_or("").trim_end();
    let (fence, toml) = match first {
        "---" => ("---", false),
        "+++" => ("+++", true),
        _ if first.starts_with('{') => return split_json(text),
        _ => {
            return Ok(Split {
                front: Map::new(),
                body: text.to_string(),
                body_line: 1,
            });
        }
    };
    let mut offset = text.find('\n').map(|i| i + 1).unwrap_or(text.len());
    let start = offset;
    let mut line = 2;
    while offset < text.len() {
        let end = text[offset..]
            .find('\n')
            .map(|i| offset + i + 1)
            .unwrap_or(text.len());
        let l = text[offset..end].trim_end();
        if l == fence || (!toml && l == "...") {
            let raw = &text[start..offset];
            let front = if toml {
                parse_toml(raw)
            } else {
                parse_yaml(raw)
            }
            .map_err(|e| (2, e))?;
            return Ok(Split {
                front,
                body: text[end..].to_string(),
                body_line: line + 1,
            });
        }
        offset = end;
        line += 1;
    }
    Err((
        1,
        format!("the front matter that starts with `{fence}` is not closed"),
    ))
}

fn split_json(text: &str) -> Result<Split, (usize, String)> {
    let mut de = serde_json::Deserializer::from_str(text).into_iter::<Map<String, Value>>();
    match de.next() {
        Some(Ok(front)) => {
            let end = de.byte_offset();
            let line = text[..end].lines().count() + 1;
            Ok(Split {
                front,
                body: text[end..].trim_start_matches(['\r', '\n']).to_string(),
                body_line: line,
            })
        }
        Some(Err(e)) => Err((e.line(), format!("JSON front matter: {e}"))),
        None => Err((1, "empty JSON front matter".into())),
    }
}

/// YAML front matter as a map (an empty document is an empty map).
pub fn parse_yaml(raw: &str) -> Result<Map<String, Value>, String> {
    if raw.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_saphyr::from_str_with_options::<Value>(raw, crate::yaml::options()) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(Value::Null) => Ok(Map::new()),
        Ok(_) => Err("YAML front matter is not a list of `key: value` lines".into()),
        Err(e) => Err(format!("YAML front matter: {}", first_line(&e.to_string()))),
    }
}

/// TOML front matter (Hugo's `+++`) as a map. Dates become their text (`2024-03-01`).
pub fn parse_toml(raw: &str) -> Result<Map<String, Value>, String> {
    let table: toml::Table = toml::from_str(raw)
        .map_err(|e| format!("TOML front matter: {}", first_line(e.message())))?;
    match toml_to_json(toml::Value::Table(table)) {
        Value::Object(m) => Ok(m),
        _ => Ok(Map::new()),
    }
}

/// A TOML value as JSON: dates and times as their text.
pub fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s).trim()
}

/// A string value of `key` (numbers and booleans as their text).
pub fn str_of(front: &Map<String, Value>, key: &str) -> Option<String> {
    match front.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A list of strings at `key`: a YAML/TOML list, or one string (comma or space separated lists as Jekyll writes
/// `tags: a b`).
pub fn list_of(front: &Map<String, Value>, key: &str) -> Vec<String> {
    match front.get(key) {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.trim().to_string()),
                Value::Number(n) => Some(n.to_string()),
                Value::Object(o) => o.get("label").and_then(Value::as_str).map(str::to_string),
                _ => None,
            })
            .filter(|s| !s.is_empty())
            .collect(),
        Some(Value::String(s)) => s
            .split(|c: char| c == ',' || c.is_whitespace())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

/// A number at `key` (integers and floats; a float is rounded), or a number written as a string.
pub fn int_of(front: &Map<String, Value>, key: &str) -> Option<i64> {
    match front.get(key)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f.round() as i64)),
        Value::String(s) => s.trim().parse::<f64>().ok().map(|f| f.round() as i64),
        _ => None,
    }
}

/// A boolean at `key` (`true`/`false`, also as strings).
pub fn bool_of(front: &Map<String, Value>, key: &str) -> Option<bool> {
    match front.get(key)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_toml_and_json_front_matter_are_read_alike() {
        let y = split("---\ntitle: A\nweight: 3\ntags: [x, y]\n---\nbody\n").unwrap();
        assert_eq!(str_of(&y.front, "title").as_deref(), Some("A"));
        assert_eq!(int_of(&y.front, "weight"), Some(3));
        assert_eq!(list_of(&y.front, "tags"), ["x", "y"]);
        assert_eq!((y.body.as_str(), y.body_line), ("body\n", 6));
        let t =
            split("+++\ntitle = \"B\"\ndate = 2024-03-01\ndraft = true\n+++\n\nbody\n").unwrap();
        assert_eq!(str_of(&t.front, "title").as_deref(), Some("B"));
        assert_eq!(str_of(&t.front, "date").as_deref(), Some("2024-03-01"));
        assert_eq!(bool_of(&t.front, "draft"), Some(true));
        assert_eq!(t.body_line, 6);
        let j = split("{\n\"title\": \"C\"\n}\nbody\n").unwrap();
        assert_eq!(str_of(&j.front, "title").as_deref(), Some("C"));
        assert_eq!(j.body, "body\n");
        let none = split("# Just text\n").unwrap();
        assert!(none.front.is_empty());
        assert!(split("---\ntitle: x\n").is_err());
        assert!(split("+++\ntitle = \n+++\n").is_err());
    }
}
