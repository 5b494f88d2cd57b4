//! Versions and ranges as dependency files write them, and the eras of a
//! driver a version may fall in.

use std::path::PathBuf;

/// `major.minor.patch`.
type Ver = (u32, u32, u32);

/// A driver version as a dependency file gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriverVersion {
    /// The package name as written there.
    pub name: String,
    /// The version or range as written (`5.0.18`, `^8.7.1`, `[5.0,6.0)`).
    pub written: String,
    /// The dependency file; None when given outright.
    pub file: Option<PathBuf>,
    /// The versions it allows: `[low, high)`, or exactly `low` when
    /// `exact`; `high` None = no upper bound.
    low: Ver,
    high: Option<Ver>,
    exact: bool,
    /// A pre-release or Go pseudo-version of `low`: somewhere before it.
    pre: bool,
}

impl DriverVersion {
    /// Whether every version it allows is at least `min`; None when some
    /// are and some are not.
    pub fn at_least(&self, min: Ver) -> Option<bool> {
        if self.exact {
            return match self.low.cmp(&min) {
                std::cmp::Ordering::Less => Some(false),
                std::cmp::Ordering::Greater => Some(true),
                std::cmp::Ordering::Equal => (!self.pre).then_some(true),
            };
        }
        if self.low >= min && !(self.pre && self.low == min) {
            Some(true)
        } else if self.high.is_some_and(|h| h <= min) {
            Some(false)
        } else {
            None
        }
    }

    /// The major version, when every allowed version shares it (what the
    /// parsing tests compare).
    #[cfg(test)]
    pub fn major(&self) -> Option<u32> {
        let next = (self.low.0 + 1, 0, 0);
        (self.exact || self.high.is_some_and(|h| h <= next)).then_some(self.low.0)
    }

    /// `Npgsql 5.0.18 (src/App/App.csproj)`, the scan output's form.
    pub fn shown(&self) -> String {
        match &self.file {
            Some(f) => format!("{} {} ({})", self.name, self.written, f.display()),
            None => format!("{} {}", self.name, self.written),
        }
    }
}

/// A driver's releases whose defaults differ, each era written once with
/// the version it starts at: `driver_eras! { /// doc  pub(super) enum
/// Name in TABLE { /// doc  Era from (major, minor, patch), … } }` is the
/// enum (`Debug, Clone, Copy, PartialEq, Eq`, and the derives the doc
/// adds) and `TABLE`, its eras by first version, as [`eras`] reads them.
macro_rules! driver_eras {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident in $table:ident {
            $($(#[$doc:meta])* $era:ident from ($major:literal, $minor:literal, $patch:literal),)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name {
            $($(#[$doc])* $era,)+
        }

        $vis const $table: &[((u32, u32, u32), $name)] =
            &[$((($major, $minor, $patch), $name::$era)),+];
    };
}
pub(crate) use driver_eras;

/// The eras of a driver (each from its first version to the next era's)
/// that `version` may fall in: every era when no version is in sight.
/// `eras` is ordered by first version.
pub fn eras<T: Copy>(version: Option<&DriverVersion>, eras: &[(Ver, T)]) -> Vec<T> {
    eras.iter()
        .enumerate()
        .filter(|(i, (start, _))| {
            let Some(v) = version else { return true };
            let before_start = v.at_least(*start) == Some(false);
            let past_end = eras
                .get(i + 1)
                .is_some_and(|(next, _)| v.at_least(*next) == Some(true));
            !before_start && !past_end
        })
        .map(|(_, (_, era))| *era)
        .collect()
}

/// A version or range as written, read into the versions it allows: exact
/// (`5.0.18`, `v1.10.9`, Maven and NuGet's lowest-applicable `5.0.1`), npm
/// ranges (`^8.7.1`, `~7.4`, `8.x`, `>=8 <9`), NuGet/Maven intervals
/// (`[5.0,6.0)`), wildcards (`5.*`, `8.+`). None when it allows any major
/// (`*`, `latest`, `>=5`, `||` unions, placeholders).
pub(super) fn version(name: &str, written: &str, file: Option<PathBuf>) -> Option<DriverVersion> {
    let (low, high, exact, pre) = range(written.trim())?;
    Some(DriverVersion {
        name: name.to_string(),
        written: written.trim().to_string(),
        file,
        low,
        high,
        exact,
        pre,
    })
}

/// (low, high, exact, pre-release) for [`version`].
fn range(w: &str) -> Option<(Ver, Option<Ver>, bool, bool)> {
    if w.contains("||") || w.is_empty() {
        return None;
    }
    // NuGet / Maven interval notation.
    if let Some(inner) = w.strip_prefix(['[', '(']) {
        let inner = inner.strip_suffix([']', ')'])?;
        let closed_high = w.ends_with(']');
        let (lo, hi) = match inner.split_once(',') {
            Some((lo, hi)) => (lo.trim(), hi.trim()),
            None => (inner.trim(), inner.trim()),
        };
        let low = if lo.is_empty() {
            (0, 0, 0)
        } else {
            parse(lo)?.0
        };
        let high = if hi.is_empty() {
            None
        } else {
            let h = parse(hi)?.0;
            Some(if closed_high { bump_patch(h) } else { h })
        };
        return Some((low, high, lo == hi && closed_high, false));
    }
    // npm comparator pairs: `>=8.0.0 <9.0.0`.
    let parts: Vec<&str> = w.split_whitespace().collect();
    if parts.len() == 2
        && let (Some(lo), Some(hi)) = (parts[0].strip_prefix(">="), parts[1].strip_prefix('<'))
        && !hi.starts_with('=')
    {
        return Some((parse(lo)?.0, Some(parse(hi)?.0), false, false));
    }
    if parts.len() != 1 {
        return None;
    }
    if let Some(rest) = w.strip_prefix('^') {
        let (v, given, _) = parse(rest)?;
        let high = match (v, given) {
            ((0, 0, p), 3) => (0, 0, p + 1),
            ((0, m, _), n) if n >= 2 => (0, m + 1, 0),
            ((major, _, _), _) => (major + 1, 0, 0),
        };
        return Some((v, Some(high), false, false));
    }
    if let Some(rest) = w.strip_prefix('~') {
        let (v, given, _) = parse(rest.trim_start_matches('>'))?;
        let high = if given >= 2 {
            (v.0, v.1 + 1, 0)
        } else {
            (v.0 + 1, 0, 0)
        };
        return Some((v, Some(high), false, false));
    }
    if w.starts_with(['>', '<', '=', '!']) {
        let exact = w
            .strip_prefix('=')
            .filter(|r| !r.starts_with(['=', '>', '<']));
        return exact.and_then(|r| range(r.trim()));
    }
    // Wildcards: `5.*`, `8.x`, `8.+`, `5`.
    let trimmed = w
        .trim_end_matches(['*', 'x', 'X', '+'])
        .trim_end_matches('.');
    if trimmed.len() < w.len() || !w.contains('.') {
        let (v, given, _) = parse(trimmed)?;
        let high = match given {
            1 => (v.0 + 1, 0, 0),
            2 => (v.0, v.1 + 1, 0),
            _ => bump_patch(v),
        };
        return Some((v, Some(high), false, false));
    }
    let (v, _, pre) = parse(w)?;
    Some((v, None, true, pre))
}

/// `v1.2.3-rc1+meta` → ((1, 2, 3), components given, pre-release).
fn parse(s: &str) -> Option<(Ver, usize, bool)> {
    let s = s.trim().trim_start_matches(['v', 'V']);
    let (core, pre) = match s.find(['-', '+']) {
        Some(i) => (&s[..i], s[i..].starts_with('-')),
        None => (s, false),
    };
    let mut nums = core.split('.');
    let mut v = [0u32; 3];
    let mut given = 0;
    for slot in &mut v {
        match nums.next() {
            Some(n) => {
                *slot = n.parse().ok()?;
                given += 1;
            }
            None => break,
        }
    }
    (given > 0).then_some(((v[0], v[1], v[2]), given, pre))
}

fn bump_patch(v: Ver) -> Ver {
    (v.0, v.1, v.2 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_ranges_as_each_ecosystem_writes_them() {
        type Row<'a> = (&'a str, Option<bool>, Option<bool>, Option<u32>);
        // (written, at least 6.0.0?, at least 8.0.0?, major)
        let table: &[Row<'_>] = &[
            ("5.0.18", Some(false), Some(false), Some(5)),
            ("6.0.0", Some(true), Some(false), Some(6)),
            ("v8.11.3", Some(true), Some(true), Some(8)),
            ("6.0.0-rc.1", None, Some(false), Some(6)),
            (
                "v1.12.4-0.20260410120000-abcdef123456",
                Some(false),
                Some(false),
                Some(1),
            ),
            ("^8.7.1", Some(true), Some(true), Some(8)),
            ("^7.4.0", Some(true), Some(false), Some(7)),
            ("~5.0.2", Some(false), Some(false), Some(5)),
            ("8.x", Some(true), Some(true), Some(8)),
            ("5.*", Some(false), Some(false), Some(5)),
            ("8.+", Some(true), Some(true), Some(8)),
            ("7", Some(true), Some(false), Some(7)),
            (">=8.0.0 <9.0.0", Some(true), Some(true), Some(8)),
            ("[5.0,6.0)", Some(false), Some(false), Some(5)),
            ("[6.0.0,)", Some(true), None, None),
            ("[5.0.18]", Some(false), Some(false), Some(5)),
            ("=8.1.0", Some(true), Some(true), Some(8)),
            (">=5", None, None, None),
            ("*", None, None, None),
            ("latest", None, None, None),
            ("^7 || ^8", None, None, None),
            ("$(NpgsqlVersion)", None, None, None),
            ("${mysql.version}", None, None, None),
        ];
        for &(written, six, eight, major) in table {
            let v = version("x", written, None);
            assert_eq!(
                (
                    v.as_ref().and_then(|v| v.at_least((6, 0, 0))),
                    v.as_ref().and_then(|v| v.at_least((8, 0, 0))),
                    v.as_ref().and_then(DriverVersion::major),
                ),
                (six, eight, major),
                "{written}"
            );
        }
    }

    #[test]
    fn a_version_selects_the_eras_it_may_fall_in() {
        let table = [((0, 0, 0), 'a'), ((6, 0, 0), 'b'), ((8, 0, 0), 'c')];
        for (written, want) in [
            (None, "abc"),
            (Some("5.0.18"), "a"),
            (Some("6.0.0"), "b"),
            (Some("^7.0.1"), "b"),
            (Some("8.0.3"), "c"),
            (Some("[6.0,)"), "bc"),
            (Some("5.*"), "a"),
            (Some("6.0.0-rc.1"), "ab"),
        ] {
            let v = written.and_then(|w| version("x", w, None));
            let got: String = eras(v.as_ref(), &table).into_iter().collect();
            assert_eq!(got, want, "{written:?}");
        }
    }
}
