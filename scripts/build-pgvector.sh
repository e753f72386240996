#!/usr/bin/env bash
# Builds pgvector (what a hosted Supabase project has as the `vector` extension) for one local
# PostgreSQL server and installs it beside that server's own extensions.
#
#   bash scripts/build-pgvector.sh MAJOR PKGLIBDIR SHAREDIR
#
# Debian 12 packages no pgvector and no registry reached here ships a build for our servers, so
# it is compiled from Debian's own source package (pgvector in Debian 13, the version pinned
# below and its tarball's sha256 checked) against the server headers of Debian's
# postgresql-server-dev-MAJOR (12's for 15, 13's for 17). Both are downloaded with apt into a
# throw-away folder and a private apt configuration whose lists name the machine's own Debian
# mirror: nothing is installed system-wide, the machine's sources are untouched. About ten
# seconds; does nothing when this version is in place already.
set -euo pipefail
major=$1 libdir=$2 sharedir=$3
version=0.8.0
tarball_sha256=867a2c328d4928a5a9d6f052cd3bc78c7d60228a9b914ad32aa3db88e9de27b0
if [ -f "$libdir/vector.so" ] && [ -f "$sharedir/extension/vector--$version.sql" ]; then
  exit 0
fi
echo "Building pgvector $version for PostgreSQL $major"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The mirror this machine installs Debian's packages from, as apt itself reports it.
mirror=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Created-By: Packages' \
  | awk '$2 !~ /-(security|updates|backports)$/ {print $1; exit}')
[ -n "$mirror" ] || { echo "error: no Debian mirror in this machine's apt sources" >&2; exit 1; }
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
{
  echo "deb $mirror trixie main"
  echo "deb-src $mirror trixie main"
  echo "deb $mirror bookworm main"
} >"$work/sources.list"
apt=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
     -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache"
     -o Debug::NoLocking=1 -o APT::Sandbox::User=root -qq)
apt-get "${apt[@]}" update
(cd "$work" && apt-get "${apt[@]}" source --download-only "pgvector=$version-1" >/dev/null \
  && apt-get "${apt[@]}" download "postgresql-server-dev-$major" >/dev/null)
echo "$tarball_sha256  $work/pgvector_$version.orig.tar.gz" | sha256sum --check --quiet
tar -xzf "$work/pgvector_$version.orig.tar.gz" -C "$work"
dpkg-deb -x "$work"/postgresql-server-dev-"$major"_*.deb "$work/dev"
headers="$work/dev/usr/include/postgresql/$major/server"
source_dir="$work/pgvector-$version"
# pgvector's own flags for gcc (its Makefile) without -march=native: the build may run on
# another processor than the server.
flags=(-O2 -fPIC -Wall -ftree-vectorize -fassociative-math
       -fno-signed-zeros -fno-trapping-math -I"$headers")
objects=()
for file in "$source_dir"/src/*.c; do
  object="$work/$(basename "$file" .c).o"
  gcc "${flags[@]}" -c "$file" -o "$object" 2>"$work/gcc.log" || { cat "$work/gcc.log" >&2; exit 1; }
  objects+=("$object")
done
gcc -shared -o "$work/vector.so" "${objects[@]}"
install -m 0755 "$work/vector.so" "$libdir/vector.so"
install -m 0644 "$source_dir/vector.control" "$sharedir/extension/vector.control"
install -m 0644 "$source_dir/sql/vector.sql" "$sharedir/extension/vector--$version.sql"
install -m 0644 "$source_dir"/sql/vector--*--*.sql "$sharedir/extension/"
