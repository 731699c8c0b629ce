//! How firmly an image reference pins its content: by digest, by tag, or not at all. Shared by
//! the Dockerfile `FROM` rule and the Kubernetes and compose image rules, so all three judge
//! `nginx`, `nginx:latest`, `nginx:1.27` and `nginx@sha256:...` alike.

/// What an image reference pins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pinning {
    /// `@sha256:...`: immutable content.
    Digest,
    /// A tag other than `latest`: mutable, but names a version.
    Tag(String),
    /// The `latest` tag, written out.
    Latest,
    /// No tag and no digest: Docker reads it as `latest`.
    NoTag,
    /// The reference is (partly) a variable (`$IMAGE`, `${REGISTRY}/app`): cannot be judged.
    Variable,
}

/// Judge one image reference (`registry:5000/ns/img:tag@sha256:...`).
pub fn pinning(image: &str) -> Pinning {
    let image = image.trim();
    if image.contains('$') || image.contains("{{") {
        return Pinning::Variable;
    }
    if let Some((_, digest)) = image.split_once('@')
        && !digest.is_empty()
    {
        return Pinning::Digest;
    }
    let last_slash = image.rfind('/');
    match image.rfind(':') {
        Some(i) if last_slash.is_none_or(|j| i > j) => {
            let tag = &image[i + 1..];
            if tag.is_empty() {
                Pinning::NoTag
            } else if tag == "latest" {
                Pinning::Latest
            } else {
                Pinning::Tag(tag.to_string())
            }
        }
        _ => Pinning::NoTag,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_judged_by_what_they_pin() {
        assert_eq!(pinning("nginx"), Pinning::NoTag);
        assert_eq!(pinning("nginx:latest"), Pinning::Latest);
        assert_eq!(pinning("nginx:1.27"), Pinning::Tag("1.27".into()));
        assert_eq!(pinning("localhost:5000/app"), Pinning::NoTag);
        assert_eq!(pinning("localhost:5000/app:v2"), Pinning::Tag("v2".into()));
        assert_eq!(pinning("nginx:1.27@sha256:0123abcd"), Pinning::Digest);
        assert_eq!(pinning("nginx@sha256:0123abcd"), Pinning::Digest);
        assert_eq!(pinning("${REGISTRY}/app:1"), Pinning::Variable);
    }
}
