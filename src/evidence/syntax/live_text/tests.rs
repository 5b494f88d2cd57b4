use super::*;

/// The live text with each line's trailing blanks trimmed (blanked
/// comments leave spaces), after checking that offsets are kept: same
/// length, same number of lines.
fn live(name: &str, text: &str) -> String {
    let out = live_text(name, text);
    assert_eq!(out.len(), text.len(), "{name}: length changed:\n{out}");
    assert_eq!(
        out.matches('\n').count(),
        text.matches('\n').count(),
        "{name}: lines changed:\n{out}"
    );
    out.split('\n')
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Each row's text, read as a file named as the row says, gives the row's
/// live text (trailing blanks trimmed).
fn assert_live(rows: &[(&str, &str, &str)]) {
    for (name, text, expected) in rows {
        assert_eq!(live(name, text), *expected, "{name}:\n{text}");
    }
}

/// Each row's text, read as a file named as the row says, is live as it is.
fn assert_kept(rows: &[(&str, &str)]) {
    for (name, text) in rows {
        assert_eq!(live_text(name, text), *text, "{name}");
    }
}

#[test]
fn syntax_is_chosen_by_file_name() {
    let table = [
        ("application.properties", Some(Syntax::Properties)),
        ("application-prod.yml", Some(Syntax::Yaml)),
        ("values.yaml", Some(Syntax::Yaml)),
        ("_helpers.tpl", Some(Syntax::Yaml)),
        ("database.yml.erb", Some(Syntax::Yaml)),
        (".env", Some(Syntax::Env)),
        (".env.production", Some(Syntax::Env)),
        (".env.example", Some(Syntax::Env)),
        ("prod.env", Some(Syntax::Env)),
        ("deploy.sh", Some(Syntax::Shell)),
        ("Dockerfile", Some(Syntax::Dockerfile)),
        ("Dockerfile.prod", Some(Syntax::Dockerfile)),
        ("settings.py", Some(Syntax::Python)),
        ("Gemfile", Some(Syntax::Ruby)),
        ("pyproject.toml", Some(Syntax::Toml)),
        ("my.cnf", Some(Syntax::MyCnf)),
        ("client.cnf", Some(Syntax::MyCnf)),
        ("my.cnf.j2", Some(Syntax::MyCnf)),
        ("odbc.ini", Some(Syntax::Ini)),
        ("pgbouncer.ini", Some(Syntax::Ini)),
        ("pg_service.conf", Some(Syntax::Ini)),
        ("tnsnames.ora", Some(Syntax::Ini)),
        ("Db.java", Some(Syntax::Java)),
        ("db.ts", Some(Syntax::JavaScript)),
        ("main.go", Some(Syntax::Go)),
        ("Program.cs", Some(Syntax::CSharp)),
        ("Db.kt", Some(Syntax::Kotlin)),
        ("build.gradle", Some(Syntax::Groovy)),
        ("main.rs", Some(Syntax::Rust)),
        ("appsettings.json", Some(Syntax::Json)),
        ("wp-config.php", Some(Syntax::Php)),
        ("Web.config", Some(Syntax::Xml)),
        ("pom.xml", Some(Syntax::Xml)),
        ("schema.sql", Some(Syntax::Sql)),
        ("main.tf", Some(Syntax::Hcl)),
        ("README.md", Some(Syntax::Prose)),
        ("notes.txt", None),
        ("Procfile", None),
        ("config.example", None),
    ];
    for (name, syntax) in table {
        assert_eq!(Syntax::of(name), syntax, "{name}");
    }
}

#[test]
fn comments_are_blanked_in_every_syntax() {
    assert_live(&[
        (
            "application.properties",
            "#spring.datasource.url=jdbc:postgresql://old-db/app?sslmode=disable\n\
             ! spring.datasource.url=jdbc:mysql://old-db/app\n\
             spring.datasource.url=jdbc:postgresql://db/app?sslmode=verify-full\n",
            "\n\nspring.datasource.url=jdbc:postgresql://db/app?sslmode=verify-full\n",
        ),
        (
            "application.yml",
            "spring:\n  datasource:\n    # url: jdbc:postgresql://old-db/app?sslmode=disable\n    url: jdbc:postgresql://db/app # was old-db\n",
            "spring:\n  datasource:\n\n    url: jdbc:postgresql://db/app\n",
        ),
        (
            "db.js",
            "// const url = \"postgres://old-db/app?sslmode=disable\";\nconst url = \"postgres://db/app\"; // new\n",
            "\nconst url = \"postgres://db/app\";\n",
        ),
        (
            "main.go",
            "func open() {\n\t// dsn := \"host=old-db sslmode=disable\"\n\tdsn := \"host=db sslmode=verify-full\"\n}\n",
            "func open() {\n\n\tdsn := \"host=db sslmode=verify-full\"\n}\n",
        ),
        (
            ".env",
            "# DATABASE_URL=postgres://old-db/app?sslmode=disable\nDATABASE_URL=postgres://db/app  # prod\n",
            "\nDATABASE_URL=postgres://db/app\n",
        ),
        (
            "deployment.yaml",
            "          env:\n            # - name: PGSSLMODE\n            #   value: disable\n            - name: PGHOST\n              value: db\n",
            "          env:\n\n\n            - name: PGHOST\n              value: db\n",
        ),
        (
            "deployment.yaml",
            "{{- /* PGSSLMODE: disable */ -}}\nenv:\n{{/* - name: PGSSLMODE\n  value: disable */}}\n  - name: PGHOST\n",
            "\nenv:\n\n\n  - name: PGHOST\n",
        ),
        (
            "Web.config",
            "<connectionStrings>\n  <!-- <add name=\"Old\" connectionString=\"Server=old-db;Encrypt=False\" /> -->\n  <!--\n  <add name=\"Older\" connectionString=\"Server=older-db\" />\n  -->\n  <add name=\"Db\" connectionString=\"Server=db;Encrypt=True\" />\n</connectionStrings>\n",
            "<connectionStrings>\n\n\n\n\n  <add name=\"Db\" connectionString=\"Server=db;Encrypt=True\" />\n</connectionStrings>\n",
        ),
        (
            "schema.sql",
            "-- postgres://old-db/app?sslmode=disable\nSELECT 'a -- b'; /* host=old-db\nsslmode=disable */\n",
            "\nSELECT 'a -- b';\n\n",
        ),
        (
            "odbc.ini",
            "[Payroll]\n;Server = old-db\n# Encrypt = no\nServer = db\n",
            "[Payroll]\n\n\nServer = db\n",
        ),
        (
            "Db.cs",
            "/* \"Host=old-db;SSL Mode=Disable\" */\nvar cs = \"Host=db;SSL Mode=VerifyFull\"; /* multi\n line */\n",
            "\nvar cs = \"Host=db;SSL Mode=VerifyFull\";\n\n",
        ),
        (
            "my.cnf",
            "[client]\n# ssl-mode=DISABLED\n;ssl-mode=DISABLED\nssl-mode=VERIFY_IDENTITY # was DISABLED\npassword=\"a#b\"\n",
            "[client]\n\n\nssl-mode=VERIFY_IDENTITY\npassword=\"a#b\"\n",
        ),
        (
            "settings.py",
            "# DATABASE_URL = 'postgres://old-db/app'\nDATABASES = {'default': {'HOST': 'db'}}  # 'HOST': 'old-db'\n",
            "\nDATABASES = {'default': {'HOST': 'db'}}\n",
        ),
        (
            "settings.py",
            "def connect():\n    \"\"\"Connects with postgres://old-db/app?sslmode=disable.\"\"\"\n    return psycopg2.connect(DSN)\n",
            "def connect():\n\n    return psycopg2.connect(DSN)\n",
        ),
        (
            "database.rb",
            "=begin\nurl: postgres://old-db/app\n=end\nDB = 'postgres://db/app' # new\n",
            "\n\n\nDB = 'postgres://db/app'\n",
        ),
        (
            "config.toml",
            "# url = \"postgres://old-db/app\"\nurl = \"postgres://db/app#x\" # new\n",
            "\nurl = \"postgres://db/app#x\"\n",
        ),
        (
            "Dockerfile",
            "# ENV PGSSLMODE=disable\nENV PGSSLMODE=verify-full\n",
            "\nENV PGSSLMODE=verify-full\n",
        ),
        (
            "deploy.sh",
            "# export PGSSLMODE=disable\nexport PGSSLMODE=require # for now\ncat > ~/.my.cnf <<-'EOF'\n\t[client]\n\t# ssl-mode=DISABLED\n\tssl-mode=REQUIRED\n\tEOF\necho done # here\n",
            "\nexport PGSSLMODE=require\ncat > ~/.my.cnf <<-'EOF'\n\t[client]\n\n\tssl-mode=REQUIRED\n\tEOF\necho done\n",
        ),
        (
            "db.php",
            "<?php\n# $dsn = 'pgsql:host=old-db;sslmode=disable';\n// $dsn = 'pgsql:host=old-db';\n#[Attribute]\n$dsn = 'pgsql:host=db;sslmode=verify-full';\n",
            "<?php\n\n\n#[Attribute]\n$dsn = 'pgsql:host=db;sslmode=verify-full';\n",
        ),
        (
            "index.php",
            "<p>Don't forget</p>\n<?php $db = new PDO('pgsql:host=db;sslmode=verify-full'); // was disable\n",
            "<p>Don't forget</p>\n<?php $db = new PDO('pgsql:host=db;sslmode=verify-full');\n",
        ),
        (
            "appsettings.json",
            "{\n  // \"Old\": \"Server=old-db\",\n  \"Db\": \"Server=db;Encrypt=True\"\n}\n",
            "{\n\n  \"Db\": \"Server=db;Encrypt=True\"\n}\n",
        ),
        (
            "lib.rs",
            "/* outer /* inner */ still comment: postgres://old-db/app */\nfn f<'a>(x: &'a str) {} // postgres://old-db/app\n",
            "\nfn f<'a>(x: &'a str) {}\n",
        ),
        (
            "main.tf",
            "# password = \"x\"\n// host = \"old-db\"\nhost = \"db\"\n",
            "\n\nhost = \"db\"\n",
        ),
        (
            "connect.bat",
            "REM set PGSSLMODE=disable\n:: set PGHOST=old-db\nset PGHOST=db\n",
            "\n\nset PGHOST=db\n",
        ),
        (
            "app.yml",
            "note: it's a test # old: postgres://old-db/app\n",
            "note: it's a test\n",
        ),
        (
            "Main.java",
            "String url = \"jdbc:postgresql://db/app\"; char q = '\"'; // jdbc:postgresql://old-db/app\n",
            "String url = \"jdbc:postgresql://db/app\"; char q = '\"';\n",
        ),
        (
            "app.rb",
            "a = b <<c # c is not a heredoc delimiter\n",
            "a = b <<c\n",
        ),
        (
            "README.md",
            "Connect with `postgres://reporter@reports.example.com/reports?sslmode=disable`.\n",
            "\n",
        ),
    ]);
}

#[test]
fn comment_markers_inside_strings_and_values_are_kept() {
    assert_kept(&[
        (
            ".env",
            "DATABASE_URL=postgres://u:pa#ss@db/app?sslmode=require\n",
        ),
        (
            ".env",
            "DATABASE_URL=\"postgres://db/app # not a comment\"\n",
        ),
        (
            "app.yml",
            "url: \"postgres://db/app#frag\"\nnote: 'it''s #1'\n",
        ),
        ("app.yml", "url: postgres://db/app?sslmode=verify-full#x\n"),
        (
            "application.properties",
            "spring.datasource.url=jdbc:mysql://db/app?password=a#b\n",
        ),
        (
            "db.js",
            "const url = 'postgres://db/app?sslmode=verify-full';\n",
        ),
        ("db.js", "const url = `postgres://${host}/app // x`;\n"),
        ("main.go", "dsn := `host=db // sslmode=disable`\n"),
        ("settings.py", "URL = \"postgres://db/app#x\"\n"),
        (
            "settings.py",
            "DSN = \"\"\"\nhost=db # not a comment\n\"\"\"\n",
        ),
        ("Db.cs", "var path = @\"C:\\certs\\\"; var u = \"//db\";\n"),
        ("schema.sql", "SELECT 'it''s -- here';\n"),
        (
            "deploy.sh",
            "psql \"host=db sslmode=require # x\" -c 'select 1 # y'\n",
        ),
        ("deploy.sh", "echo $(( 1<<2 )) ${#PGHOST}\n"),
        (
            "Web.config",
            "<add connectionString=\"Server=db;Encrypt=True\" />\n",
        ),
        (
            "db.php",
            "$x = <<<EOT\n# kept: a heredoc is a string\nEOT;\n",
        ),
        ("config.rb", "sql = <<~SQL\n  # kept\nSQL\n"),
        ("notes.txt", "# unknown syntax: read as it is\n"),
    ]);
}

#[test]
fn concatenated_literals_are_joined_in_place() {
    assert_live(&[
        // The case: SQLAlchemy passes ssl={'ca': …} to PyMySQL.
        (
            "db.py",
            "engine = create_engine(\n    \"mysql+pymysql://app@reports-db/reports\"\n    \"?ssl_ca=/etc/ssl/rds.pem\"\n)\n",
            "engine = create_engine(\n    \"mysql+pymysql://app@reports-db/reports?ssl_ca=/etc/ssl/rds.pem\"\n\n)\n",
        ),
        (
            "db.py",
            "url = f\"postgresql://{user}@db/app\" \\\n    f\"?sslmode=verify-full\"\n",
            "url = f\"postgresql://{user}@db/app?sslmode=verify-full\"\n\n",
        ),
        (
            "Db.java",
            "String url = \"jdbc:postgresql://db/app\" +\n    \"?sslmode=verify-full\";\n",
            "String url = \"jdbc:postgresql://db/app?sslmode=verify-full\"\n        ;\n",
        ),
        (
            "db.js",
            "const url = 'postgres://db/app' + // split\n  '?sslmode=verify-full' +\n  '&sslrootcert=/rds.pem';\n",
            "const url = 'postgres://db/app?sslmode=verify-full&sslrootcert=/rds.pem'\n\n                     ;\n",
        ),
        (
            "main.go",
            "dsn := \"host=db \" + \"sslmode=verify-full\"\n",
            "dsn := \"host=db sslmode=verify-full\"\n",
        ),
        (
            "db.ts",
            "const url = `postgres://${host}/app` + '?sslmode=verify-full';\n",
            "const url = `postgres://${host}/app?sslmode=verify-full`     ;\n",
        ),
        (
            "Program.cs",
            "var cs = \"Server=db;\" +\n         \"Encrypt=True\";\n",
            "var cs = \"Server=db;Encrypt=True\"\n             ;\n",
        ),
        (
            "Db.kt",
            "val url = \"jdbc:mysql://db/app\" + \"?sslMode=VERIFY_IDENTITY\"\n",
            "val url = \"jdbc:mysql://db/app?sslMode=VERIFY_IDENTITY\"\n",
        ),
        (
            "db.php",
            "$dsn = 'pgsql:host=db;' .\n    'sslmode=verify-full';\n",
            "$dsn = 'pgsql:host=db;sslmode=verify-full'\n        ;\n",
        ),
        (
            "application.properties",
            "spring.datasource.url=jdbc:postgresql://db/app\\\n    ?sslmode=verify-full\nnext=1\n",
            "spring.datasource.url=jdbc:postgresql://db/app?sslmode=verify-full\n\nnext=1\n",
        ),
    ]);
}

#[test]
fn only_literal_glue_is_joined() {
    assert_kept(&[
        // A variable between the parts: nothing to join.
        (
            "Db.java",
            "String url = \"jdbc:postgresql://\" + host + \"/app\";\n",
        ),
        // Two statements, not a concatenation.
        (
            "db.py",
            "a = \"postgres://db/app\"\nb = \"?sslmode=disable\"\n",
        ),
        // Python needs brackets or `\` to join across lines.
        ("db.py", "a = \"postgres://db/app\"\n\"?x\".strip()\n"),
        // A quote of another kind that would end the literal early.
        (
            "db.js",
            "const u = 'postgres://db/app' + \"?app=o'brien\";\n",
        ),
        // `+=` is not `+`.
        ("db.js", "let u = 'a';\nu += 'b';\n"),
        // Ruby `x << y` appends; no heredoc.
        ("app.rb", "list << 'postgres://db/app'\nx = 1\n"),
    ]);
}

#[test]
fn a_join_keeps_what_follows_in_place() {
    let text = "x = (\"a\"\n     \"b\")\ny = \"postgres://db/app\"\n";
    let out = live_text("db.py", text);
    let at = text.find("postgres").unwrap();
    assert_eq!(out.find("postgres"), Some(at));
    assert_eq!(out.lines().nth(1), Some("       )"));
}
