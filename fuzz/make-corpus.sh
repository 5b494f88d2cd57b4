#!/usr/bin/env bash
# Writes the seed corpus (fuzz/corpus/<target>/) from the repository's real
# samples and fixtures: each seed is a selector byte (see src/fuzzing.rs)
# and the head of a real file. Run from anywhere; the output is committed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/fuzz/corpus
rm -rf "$out"
mkdir -p "$out"/{log_lines,line_prefix,dumps,settings,truststore,inventory}

# seed TARGET NAME SELECTOR FILE [BYTES]: the selector byte, then the file's head.
seed() {
  local target=$1 name=$2 selector=$3 file=$4 bytes=${5:-4096}
  { printf "\\x$(printf %02x "$selector")"; head -c "$bytes" "$file"; } >"$out/$target/$name"
}

n=0
while IFS= read -r -d '' file; do
  case $file in *.sh|*.py|*.md) continue ;; esac
  n=$((n + 1))
  # Plain files only (gzip seeds would only exercise detection's refusal).
  if gzip -t "$file" 2>/dev/null; then continue; fi
  seed log_lines "$(printf %03d $n)-$(basename "$file")" $((n % 19)) "$file"
done < <(find "$root/samples/postgresql" "$root/samples/mariadb" "$root/samples/envelopes" -type f -print0 | sort -z)

prefixes=('%t:%r:%u@%d:[%p]:' '%m [%p] ' '%m [%p] %q%u@%d ' '%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ' '< %m %a %u %d %h %p >')
i=0
for p in "${prefixes[@]}"; do
  i=$((i + 1))
  { printf '%s\n' "$p"; head -c 2048 "$root/samples/postgresql/stderr/pg-sample-1/postgresql.log.2026-11-29-05"; } >"$out/line_prefix/prefix-$i"
done

n=0
while IFS= read -r -d '' file; do
  case $file in *.sh|*.md) continue ;; esac
  n=$((n + 1))
  seed dumps "$(printf %03d $n)-$(basename "$file")" $((n % 11)) "$file"
done < <(find "$root/samples/dumps" -type f -print0 | sort -z)

# settings: the selector of the file's own name where the list has it.
names=(.env application.properties application.yml database.yml settings.py config.php wp-config.php appsettings.json web.config app.config pom.xml build.gradle package.json knexfile.js db.js main.go db.py program.cs docker-compose.yml values.yaml my.cnf tnsnames.ora sqlnet.ora deploy.sh)
n=0
while IFS= read -r -d '' file; do
  n=$((n + 1))
  base=$(basename "$file" | tr '[:upper:]' '[:lower:]')
  selector=0
  for j in "${!names[@]}"; do [[ ${names[$j]} == "$base" ]] && selector=$j; done
  seed settings "$(printf %03d $n)-$base" "$selector" "$file" 8192
done < <(find "$root/samples/configs" "$root/tests/fixtures/apps" -type f -size -64k -print0 | sort -z)

for pem in "$root"/tests/fixtures/rds/*.pem; do
  name=$(basename "$pem" .pem)
  cp "$pem" "$out/truststore/$name.pem"
  openssl x509 -in "$pem" -outform DER -out "$out/truststore/$name.der"
  openssl crl2pkcs7 -nocrl -certfile "$pem" -outform DER -out "$out/truststore/$name.p7b"
done

for json in "$root"/tests/fixtures/inventory/*.json; do
  cp "$json" "$out/inventory/"
done
echo "seeds: $(find "$out" -type f | wc -l) files, $(du -sh "$out" | cut -f1)"
