#!/usr/bin/env bash
# Installs the Python side of squeeze4j (JupyterLab, nbclient, the JJava kernel) and the
# Jupyter kernelspec "java" wired to this repository's target/squeeze4j.jar + target/lib/*.
#
#   bash src/main/scripts/setup-jupyter.sh            # venv at <repo>/.venv (the default)
#   bash src/main/scripts/setup-jupyter.sh --no-venv  # current python3/pip environment (Binder)
#
# Idempotent: pip runs only when requirements.txt (or the Python version) changed since the
# last successful install; the kernelspec is rewritten every time (it is cheap).
#
# Tunables (environment, read at setup time and baked into kernel.json):
#   PYTHON                 interpreter used to create the venv (default: python3 on PATH)
#   S4J_KERNEL_XMX         kernel JVM heap (default 512m)
#   S4J_KERNEL_MAXBYTES    JavaCPP/ND4J off-heap limit (default 768M)
#   S4J_KERNEL_MAXPHYS     JavaCPP limit on the kernel JVM's whole RSS (default 1200M)
#   S4J_KERNEL_JVM_EXTRA   extra options appended to JJAVA_JVM_OPTS (space separated)
#   OMP_NUM_THREADS        ND4J/OpenBLAS threads in the kernel (default 2)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
REQ="$REPO/src/main/python/requirements.txt"
VENV="$REPO/.venv"
MIN_PY="3.10"   # jupyterlab 4.6 needs Python >= 3.10

die() { echo "setup-jupyter: ERROR: $*" >&2; exit 1; }
log() { echo "setup-jupyter: $*"; }

use_venv=1
for arg in "$@"; do
  case "$arg" in
    --no-venv) use_venv=0 ;;
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $arg (use --no-venv or --help)" ;;
  esac
done

# --- the kernel classpath must exist -------------------------------------------------------
JAR="$REPO/target/squeeze4j.jar"
LIB="$REPO/target/lib"
[[ -f "$JAR" ]] || die "$JAR is missing: run ./mvnw -DskipTests package first"
compgen -G "$LIB/*.jar" >/dev/null || die "$LIB/*.jar is missing: run ./mvnw -DskipTests package first"
command -v java >/dev/null 2>&1 || die "java is not on PATH (the JJava kernel needs Java 17+)"

[[ -f "$REQ" ]] || die "$REQ is missing"

check_python() { # $1 = interpreter
  "$1" - "$MIN_PY" <<'EOF' || return 1
import sys
need = tuple(int(x) for x in sys.argv[1].split("."))
if sys.version_info[:2] < need:
    sys.stderr.write("setup-jupyter: ERROR: %s is Python %d.%d; Python >= %s is required\n"
                     % (sys.executable, sys.version_info[0], sys.version_info[1], sys.argv[1]))
    sys.exit(1)
EOF
}

# --- the Python environment -----------------------------------------------------------------
if [[ $use_venv == 1 ]]; then
  BASE_PY="${PYTHON:-python3}"
  command -v "$BASE_PY" >/dev/null 2>&1 || die "$BASE_PY not found on PATH: install Python >= $MIN_PY (or set PYTHON=/path/to/python3)"
  check_python "$BASE_PY" || exit 1
  if [[ -x "$VENV/bin/python" ]] && check_python "$VENV/bin/python" 2>/dev/null; then
    :
  else
    log "creating venv $VENV ($("$BASE_PY" --version 2>&1))"
    rm -rf "$VENV"
    "$BASE_PY" -m venv "$VENV" \
      || die "'$BASE_PY -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)"
  fi
  PY="$VENV/bin/python"
else
  PY="$(command -v python3 || true)"
  [[ -n "$PY" ]] || die "python3 not found on PATH"
  check_python "$PY" || exit 1
fi

PREFIX="$("$PY" -c 'import sys; print(sys.prefix)')"
STAMP="$PREFIX/.squeeze4j-requirements.sha256"
# hashed by Python rather than sha256sum, which stock macOS lacks
want="$("$PY" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read() + sys.version.encode()).hexdigest())' "$REQ")"
have="$(cat "$STAMP" 2>/dev/null || true)"

if [[ "$want" == "$have" ]] && "$PY" -c 'import jupyter_client, nbclient, nbconvert, nbformat, psutil' >/dev/null 2>&1; then
  log "Python requirements up to date ($PREFIX)"
else
  log "installing $REQ into $PREFIX"
  "$PY" -m pip install --disable-pip-version-check --no-input -q -r "$REQ" \
    || die "pip install -r $REQ failed"
  echo "$want" > "$STAMP" 2>/dev/null || log "note: cannot write $STAMP (pip will run again next time)"
fi

# --- the kernelspec "java" ------------------------------------------------------------------
XMX="${S4J_KERNEL_XMX:-512m}"
MAXBYTES="${S4J_KERNEL_MAXBYTES:-768M}"
MAXPHYS="${S4J_KERNEL_MAXPHYS:-1200M}"
JVM_OPTS="-Xmx$XMX -Xss2m -XX:+UseSerialGC -XX:MaxMetaspaceSize=384m -XX:ReservedCodeCacheSize=128m"
JVM_OPTS+=" -Dorg.bytedeco.javacpp.maxbytes=$MAXBYTES -Dorg.bytedeco.javacpp.maxphysicalbytes=$MAXPHYS"
JVM_OPTS+=" -Djava.awt.headless=true --add-modules=jdk.unsupported,jdk.incubator.vector"
# DL4J/ND4J log at INFO through slf4j-simple: keep the notebooks to results (raise with S4J_KERNEL_JVM_EXTRA)
JVM_OPTS+=" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.showThreadName=false"
JVM_OPTS+=" ${S4J_KERNEL_JVM_EXTRA:-}"

S4J_REPO="$REPO" S4J_JVM_OPTS="$JVM_OPTS" S4J_OMP="${OMP_NUM_THREADS:-2}" "$PY" - <<'EOF'
import json, os, shutil, sys, tempfile
from pathlib import Path

repo = os.environ["S4J_REPO"]
prefix = Path(sys.prefix)

# where pip put the jjava jars (share/jupyter/kernels/java under the environment's prefix)
src = None
try:
    from importlib.metadata import files
    for f in files("jjava") or []:
        if f.name == "jjava.jar":
            src = Path(f.locate()).resolve().parent
            break
except Exception:
    pass
if src is None or not (src / "jjava-launcher.jar").is_file():
    src = prefix / "share" / "jupyter" / "kernels" / "java"
for jar in ("jjava.jar", "jjava-launcher.jar"):
    if not (src / jar).is_file():
        sys.exit("setup-jupyter: ERROR: %s not found: is the jjava package installed?" % (src / jar))

spec = {
    # the launcher JVM only forwards to the kernel JVM: keep it small
    "argv": ["java", "-Xmx64m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
             "-XX:CICompilerCount=1", "-XX:ReservedCodeCacheSize=16m",
             "-jar", "{resource_dir}/jjava-launcher.jar", "{resource_dir}/jjava.jar",
             "{connection_file}"],
    "display_name": "Java (squeeze4j)",
    "language": "java",
    "interrupt_mode": "message",
    "env": {
        "JJAVA_CLASSPATH": os.pathsep.join([os.path.join(repo, "target", "squeeze4j.jar"),
                                            os.path.join(repo, "target", "lib", "*")]),
        "JJAVA_JVM_OPTS": " ".join(os.environ["S4J_JVM_OPTS"].split()),
        "JJAVA_TIMEOUT": "-1",
        "MALLOC_ARENA_MAX": "2",
        "OMP_NUM_THREADS": os.environ["S4J_OMP"],
        "SQUEEZE4J_HOME": repo,
    },
    "metadata": {"squeeze4j": True},
}

with tempfile.TemporaryDirectory() as tmp:
    d = Path(tmp) / "java"
    d.mkdir()
    for f in src.iterdir():
        if f.is_file() and f.name != "kernel.json":
            shutil.copy2(f, d / f.name)
    (d / "kernel.json").write_text(json.dumps(spec, indent=2) + "\n")
    from jupyter_client.kernelspec import KernelSpecManager
    dest = KernelSpecManager().install_kernel_spec(str(d), kernel_name="java", prefix=str(prefix))
print("setup-jupyter: kernelspec 'java' (Java (squeeze4j)) installed in %s" % dest)
EOF
