//! Which comments and literals each syntax has, and which files are in it.

/// A file's syntax, as far as comments and literals go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// Java `.properties`: `#`/`!` lines, `\` continuations.
    Properties,
    Yaml,
    Toml,
    /// `.env` files: `#` at a word's start, quotes only around a value.
    Env,
    Shell,
    Dockerfile,
    Python,
    Ruby,
    Elixir,
    /// `.ini`, `.conf`, `.cfg`, ODBC, Oracle `.ora`: whole-line `#`/`;`.
    Ini,
    /// MySQL option files: `;` lines, `#` anywhere outside quotes.
    MyCnf,
    Java,
    JavaScript,
    Go,
    CSharp,
    /// Kotlin, Scala, Swift: nested block comments, raw `"""` strings.
    Kotlin,
    Groovy,
    Rust,
    C,
    Json,
    Php,
    Xml,
    Sql,
    Hcl,
    PowerShell,
    Batch,
    /// Documentation: nothing in it is live.
    Prose,
}

/// Suffixes of templates and samples of another file: `database.yml.erb`,
/// `.env.example`, `my.cnf.j2`.
const TEMPLATE_SUFFIXES: [&str; 11] = [
    "erb", "j2", "jinja", "jinja2", "tmpl", "template", "example", "sample", "dist", "default",
    "in",
];

/// The syntax of a file with a name of its own (lowercase).
fn of_name(name: &str) -> Option<Syntax> {
    Some(match name {
        "dockerfile" | "containerfile" => Syntax::Dockerfile,
        ".env" => Syntax::Env,
        ".envrc" | ".bashrc" | ".bash_profile" | ".profile" | ".zshrc" | "makefile"
        | "gnumakefile" => Syntax::Shell,
        "gemfile" | "rakefile" | "vagrantfile" | "podfile" | "fastfile" => Syntax::Ruby,
        "jenkinsfile" => Syntax::Groovy,
        "my.cnf" | ".my.cnf" => Syntax::MyCnf,
        "odbc.ini" | "odbcinst.ini" => Syntax::Ini,
        _ => return None,
    })
}

/// The syntax of a file extension (lowercase, without the dot).
fn of_extension(ext: &str) -> Option<Syntax> {
    Some(match ext {
        "properties" => Syntax::Properties,
        "yml" | "yaml" | "tpl" => Syntax::Yaml,
        "toml" => Syntax::Toml,
        "env" => Syntax::Env,
        "sh" | "bash" | "zsh" | "ksh" => Syntax::Shell,
        "dockerfile" => Syntax::Dockerfile,
        "py" | "pyw" | "pyi" => Syntax::Python,
        "rb" | "rake" | "gemspec" | "ru" => Syntax::Ruby,
        "ex" | "exs" => Syntax::Elixir,
        "ini" | "cfg" | "conf" | "ora" => Syntax::Ini,
        "cnf" => Syntax::MyCnf,
        "java" => Syntax::Java,
        "js" | "mjs" | "cjs" | "jsx" | "ts" | "mts" | "cts" | "tsx" => Syntax::JavaScript,
        "go" => Syntax::Go,
        "cs" | "csx" => Syntax::CSharp,
        "kt" | "kts" | "scala" | "sc" | "sbt" | "swift" => Syntax::Kotlin,
        "groovy" | "gradle" => Syntax::Groovy,
        "rs" => Syntax::Rust,
        "c" | "h" | "cc" | "cpp" | "hpp" => Syntax::C,
        "json" | "jsonc" => Syntax::Json,
        "php" => Syntax::Php,
        "xml" | "config" | "csproj" | "html" | "htm" => Syntax::Xml,
        "sql" => Syntax::Sql,
        "tf" | "tfvars" | "hcl" => Syntax::Hcl,
        "ps1" | "psm1" => Syntax::PowerShell,
        "bat" | "cmd" => Syntax::Batch,
        "md" | "markdown" | "rst" | "adoc" | "asciidoc" => Syntax::Prose,
        _ => return None,
    })
}

impl Syntax {
    /// The syntax of a file named `name`, or None when no rule knows it
    /// (its text is then read as it is).
    pub fn of(name: &str) -> Option<Syntax> {
        let name = name.to_ascii_lowercase();
        let mut name = name.as_str();
        loop {
            if let Some(syntax) = of_name(name) {
                return Some(syntax);
            }
            if name.starts_with(".env.") || name.ends_with(".env") {
                return Some(Syntax::Env);
            }
            if name.starts_with("dockerfile.") {
                return Some(Syntax::Dockerfile);
            }
            let (stem, ext) = name.rsplit_once('.')?;
            if TEMPLATE_SUFFIXES.contains(&ext) && stem.contains('.') {
                name = stem;
                continue;
            }
            return of_extension(ext);
        }
    }

    pub(super) fn rules(self) -> &'static Rules {
        match self {
            Syntax::Properties | Syntax::Prose => &NO_RULES,
            Syntax::Yaml => &YAML,
            Syntax::Toml => &TOML,
            Syntax::Env => &ENV,
            Syntax::Shell => &SHELL,
            Syntax::Dockerfile => &DOCKERFILE,
            Syntax::Python => &PYTHON,
            Syntax::Ruby => &RUBY,
            Syntax::Elixir => &ELIXIR,
            Syntax::Ini => &INI,
            Syntax::MyCnf => &MY_CNF,
            Syntax::Java => &JAVA,
            Syntax::JavaScript => &JAVASCRIPT,
            Syntax::Go => &GO,
            Syntax::CSharp => &CSHARP,
            Syntax::Kotlin => &KOTLIN,
            Syntax::Groovy => &GROOVY,
            Syntax::Rust => &RUST,
            Syntax::C => &C,
            Syntax::Json => &JSON,
            Syntax::Php => &PHP,
            Syntax::Xml => &XML,
            Syntax::Sql => &SQL,
            Syntax::Hcl => &HCL,
            Syntax::PowerShell => &POWERSHELL,
            Syntax::Batch => &BATCH,
        }
    }
}

// ---------------------------------------------------------------------------
// Rules per syntax

/// Where a comment marker counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum At {
    Anywhere,
    /// At the start of a line or after whitespace.
    WordStart,
    /// Only whitespace before it on its line.
    LineStart,
}

/// A comment to the end of the line. Markers compare in any case (`REM`).
pub(super) struct Marker {
    pub(super) text: &'static str,
    pub(super) at: At,
}

pub(super) struct Block {
    pub(super) open: &'static str,
    pub(super) close: &'static str,
    pub(super) at: At,
}

pub(super) struct Quote {
    pub(super) open: &'static str,
    pub(super) close: &'static str,
    /// `\` escapes the next byte.
    pub(super) escapes: bool,
    /// May span lines; otherwise an unterminated one ends at the newline, so
    /// a stray apostrophe spoils one line, not the file.
    pub(super) multiline: bool,
    /// A doubled closing quote is one quote (YAML and SQL `'it''s'`, C#
    /// verbatim `@"say ""hi"""`).
    pub(super) doubled: bool,
    /// A C-family character literal (`'x'`, `'\n'`): an apostrophe that
    /// does not close within a few bytes (a Rust lifetime) opens nothing.
    pub(super) char_like: bool,
}

const fn marker(text: &'static str, at: At) -> Marker {
    Marker { text, at }
}

const fn block(open: &'static str, close: &'static str, at: At) -> Block {
    Block { open, close, at }
}

const fn quote(open: &'static str, close: &'static str, escapes: bool, multiline: bool) -> Quote {
    Quote {
        open,
        close,
        escapes,
        multiline,
        doubled: false,
        char_like: false,
    }
}

/// A quote whose doubled close is a quote, without escapes.
const fn doubling(q: &'static str, multiline: bool) -> Quote {
    Quote {
        doubled: true,
        ..quote(q, q, false, multiline)
    }
}

/// Where a quote may open a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum QuoteStart {
    Anywhere,
    /// YAML: where a scalar starts (`key: "…"`, `- '…'`, `["…"]`), so the
    /// apostrophe in `note: it's #1` opens nothing.
    YamlScalar,
    /// `.env`: right after `=`.
    EnvValue,
}

/// When adjacent literals (`"a" "b"`) may sit on different lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lines {
    Always,
    /// Inside brackets or after a `\` (Python).
    InBrackets,
    /// After a `\` only (Ruby).
    Backslash,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Join {
    /// `"a" "b"`.
    Adjacent(Lines),
    /// `"a" + "b"`, `'a' . 'b'`.
    Operator(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Heredoc {
    None,
    /// `<<EOF`, `<<-'EOF'`: `#` lines of the body are comments.
    Shell,
    /// Ruby/HCL `<<~SQL`, `<<-EOT`: the body is a string.
    Ruby,
    /// PHP `<<<EOT`, `<<<'EOT'`: the body is a string.
    Php,
}

pub(super) struct Rules {
    pub(super) markers: &'static [Marker],
    pub(super) blocks: &'static [Block],
    pub(super) nested_blocks: bool,
    /// Longest opening first.
    pub(super) quotes: &'static [Quote],
    pub(super) quote_start: QuoteStart,
    pub(super) joins: &'static [Join],
    /// String prefixes (`f"`, `rb'`) and docstrings.
    pub(super) python: bool,
    pub(super) heredoc: Heredoc,
    /// Go-template comments `{{/* … */}}`, `{{- /* … */ -}}` (Helm).
    pub(super) go_templates: bool,
    /// PHP 8 attributes `#[…]` are code, not comments.
    pub(super) hash_bracket_is_code: bool,
}

const NO_RULES: Rules = Rules {
    markers: &[],
    blocks: &[],
    nested_blocks: false,
    quotes: &[],
    quote_start: QuoteStart::Anywhere,
    joins: &[],
    python: false,
    heredoc: Heredoc::None,
    go_templates: false,
    hash_bracket_is_code: false,
};

const HASH_ANYWHERE: &[Marker] = &[marker("#", At::Anywhere)];
const HASH_WORD: &[Marker] = &[marker("#", At::WordStart)];
const SLASHES: &[Marker] = &[marker("//", At::Anywhere)];
const C_BLOCK: &[Block] = &[block("/*", "*/", At::Anywhere)];

const DQ: Quote = quote("\"", "\"", true, false);
const SQ: Quote = quote("'", "'", true, false);
const DQ_LINES: Quote = quote("\"", "\"", true, true);
const SQ_LINES: Quote = quote("'", "'", true, true);
const TRIPLE_DQ: Quote = quote("\"\"\"", "\"\"\"", true, true);
const TRIPLE_SQ: Quote = quote("'''", "'''", true, true);
const RAW_TRIPLE_DQ: Quote = quote("\"\"\"", "\"\"\"", false, true);
const CHAR: Quote = Quote {
    char_like: true,
    ..quote("'", "'", true, false)
};
const PLUS: &[Join] = &[Join::Operator("+")];

const YAML: Rules = Rules {
    markers: HASH_WORD,
    quotes: &[DQ, doubling("'", false)],
    quote_start: QuoteStart::YamlScalar,
    go_templates: true,
    ..NO_RULES
};
const TOML: Rules = Rules {
    markers: HASH_ANYWHERE,
    quotes: &[
        TRIPLE_DQ,
        quote("'''", "'''", false, true),
        DQ,
        quote("'", "'", false, false),
    ],
    ..NO_RULES
};
const ENV: Rules = Rules {
    markers: HASH_WORD,
    quotes: &[DQ_LINES, quote("'", "'", false, true)],
    quote_start: QuoteStart::EnvValue,
    ..NO_RULES
};
const SHELL: Rules = Rules {
    markers: HASH_WORD,
    quotes: &[DQ_LINES, quote("'", "'", false, true)],
    heredoc: Heredoc::Shell,
    ..NO_RULES
};
const DOCKERFILE: Rules = Rules {
    markers: &[marker("#", At::LineStart)],
    ..NO_RULES
};
const PYTHON: Rules = Rules {
    markers: HASH_ANYWHERE,
    quotes: &[TRIPLE_DQ, TRIPLE_SQ, DQ, SQ],
    joins: &[Join::Adjacent(Lines::InBrackets)],
    python: true,
    ..NO_RULES
};
const RUBY: Rules = Rules {
    markers: HASH_ANYWHERE,
    blocks: &[block("=begin", "=end", At::LineStart)],
    quotes: &[DQ_LINES, SQ_LINES],
    joins: &[Join::Adjacent(Lines::Backslash), Join::Operator("+")],
    heredoc: Heredoc::Ruby,
    ..NO_RULES
};
const ELIXIR: Rules = Rules {
    markers: HASH_ANYWHERE,
    quotes: &[TRIPLE_DQ, TRIPLE_SQ, DQ_LINES, SQ_LINES],
    joins: &[Join::Operator("<>")],
    ..NO_RULES
};
const INI: Rules = Rules {
    markers: &[marker("#", At::LineStart), marker(";", At::LineStart)],
    ..NO_RULES
};
const MY_CNF: Rules = Rules {
    markers: &[marker("#", At::Anywhere), marker(";", At::LineStart)],
    quotes: &[DQ, SQ],
    ..NO_RULES
};
/// `//` and `/* */` comments.
const C_COMMENTS: Rules = Rules {
    markers: SLASHES,
    blocks: C_BLOCK,
    ..NO_RULES
};
/// What Java, JavaScript, Go, C#, Kotlin and Groovy share: C's comments and
/// `+` between literals.
const C_FAMILY: Rules = Rules {
    joins: PLUS,
    ..C_COMMENTS
};
const JAVA: Rules = Rules {
    quotes: &[TRIPLE_DQ, DQ, CHAR],
    ..C_FAMILY
};
const JAVASCRIPT: Rules = Rules {
    quotes: &[DQ, SQ, quote("`", "`", true, true)],
    ..C_FAMILY
};
const GO: Rules = Rules {
    quotes: &[DQ, CHAR, quote("`", "`", false, true)],
    ..C_FAMILY
};
const CSHARP: Rules = Rules {
    // Raw `"""…"""` and verbatim `@"…"`.
    quotes: &[
        RAW_TRIPLE_DQ,
        Quote {
            open: "$@\"",
            ..doubling("\"", true)
        },
        Quote {
            open: "@$\"",
            ..doubling("\"", true)
        },
        Quote {
            open: "@\"",
            ..doubling("\"", true)
        },
        DQ,
        CHAR,
    ],
    ..C_FAMILY
};
const KOTLIN: Rules = Rules {
    nested_blocks: true,
    quotes: &[RAW_TRIPLE_DQ, DQ, CHAR],
    ..C_FAMILY
};
const GROOVY: Rules = Rules {
    quotes: &[TRIPLE_DQ, TRIPLE_SQ, DQ, SQ],
    ..C_FAMILY
};
const RUST: Rules = Rules {
    nested_blocks: true,
    quotes: &[
        quote("br##\"", "\"##", false, true),
        quote("br#\"", "\"#", false, true),
        quote("r##\"", "\"##", false, true),
        quote("r#\"", "\"#", false, true),
        quote("br\"", "\"", false, true),
        quote("r\"", "\"", false, true),
        DQ_LINES,
        CHAR,
    ],
    ..C_COMMENTS
};
const C: Rules = Rules {
    quotes: &[DQ, CHAR],
    joins: &[Join::Adjacent(Lines::Always)],
    ..C_COMMENTS
};
const JSON: Rules = Rules {
    quotes: &[DQ],
    ..C_COMMENTS
};
const PHP: Rules = Rules {
    markers: &[marker("//", At::Anywhere), marker("#", At::Anywhere)],
    blocks: C_BLOCK,
    // One line each: an apostrophe in the HTML around `<?php` spoils one
    // line, not the rest of the file.
    quotes: &[DQ, SQ],
    joins: &[Join::Operator(".")],
    heredoc: Heredoc::Php,
    hash_bracket_is_code: true,
    ..NO_RULES
};
const XML: Rules = Rules {
    blocks: &[block("<!--", "-->", At::Anywhere)],
    quotes: &[quote("<![CDATA[", "]]>", false, true)],
    ..NO_RULES
};
const SQL: Rules = Rules {
    markers: &[marker("--", At::Anywhere)],
    blocks: C_BLOCK,
    quotes: &[doubling("'", true), doubling("\"", true)],
    ..NO_RULES
};
const HCL: Rules = Rules {
    markers: &[marker("#", At::Anywhere), marker("//", At::Anywhere)],
    blocks: C_BLOCK,
    quotes: &[DQ],
    heredoc: Heredoc::Ruby,
    ..NO_RULES
};
const POWERSHELL: Rules = Rules {
    markers: HASH_WORD,
    blocks: &[block("<#", "#>", At::Anywhere)],
    // The escape character is the backquote.
    quotes: &[doubling("\"", true), doubling("'", true)],
    ..NO_RULES
};
const BATCH: Rules = Rules {
    markers: &[
        marker("rem ", At::LineStart),
        marker("@rem ", At::LineStart),
        marker("::", At::LineStart),
    ],
    ..NO_RULES
};
