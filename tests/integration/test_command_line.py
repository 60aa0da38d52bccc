"""The command line: Cairn's flags, DynamoDB Local's, and CAIRN_* environment variables.

DynamoDB Local is started as `java -jar DynamoDBLocal.jar -port 8000 -inMemory -sharedDb ...`;
scripts, docker-compose files and test harnesses that start it that way switch to Cairn by changing
only the binary. Its flags (case-sensitive, single dash): -port, -inMemory, -dbPath, -sharedDb,
-cors, -help, -version, -delayTransientStatuses (Cairn's --delay-transient-statuses 2000:
test_transient_statuses.py), and -optimizeDbBeforeStartup, -disableTelemetry, which Cairn accepts
and names in its log as changing nothing (-cors is Cairn's --cors: test_cors.py). A flag without its value fails
as DynamoDB Local's parser words it ("Missing argument for option: port"); an unknown flag names
the nearest known one. Every Cairn flag can come from the environment (--data-dir as
CAIRN_DATA_DIR); the command line wins, and of a flag given twice the last wins, so a wrapper's
defaults can be overridden (`./cairn.sh serve --port 9000`).
"""

import os
import subprocess

import pytest

from conftest import CAIRN_BIN, CairnServer, create_table, unique_access_key


class CommandLineServer(CairnServer):
    """A server started with exactly `argv` (after the binary) and `env` added."""

    def __init__(self, tmp_path, argv, env=None):
        super().__init__(tmp_path / "unused", tmp_path / "cairn.log")
        self.cwd = tmp_path  # the working directory: DynamoDB Local's default place for data
        self.argv = [a.replace("{port}", str(self.port)) for a in argv]
        self.env = {k: v.replace("{port}", str(self.port)) for k, v in (env or {}).items()}

    def command(self):
        return [CAIRN_BIN, *self.argv]

    def start(self):
        # CairnServer.start runs command() in the inherited directory and environment; set ours.
        saved_env, saved_cwd = dict(os.environ), os.getcwd()
        os.environ.update(self.env)
        os.chdir(self.cwd)
        try:
            return super().start()
        finally:
            os.chdir(saved_cwd)
            os.environ.clear()
            os.environ.update(saved_env)


@pytest.fixture
def start(tmp_path):
    servers = []

    def make(argv, env=None):
        s = CommandLineServer(tmp_path, argv, env)
        servers.append(s)
        return s.start()

    yield make
    for s in servers:
        s.kill()


def run(argv, env=None, cwd=None):
    return subprocess.run([CAIRN_BIN, *argv], capture_output=True, text=True, timeout=10,
                          env={**os.environ, **(env or {})}, cwd=cwd)


def test_dynamodb_local_command_line(start, tmp_path):
    # In memory and shared: two callers see one set of tables; nothing is written to disk.
    s = start(["-port", "{port}", "-inMemory", "-sharedDb"])
    create_table(s.client(unique_access_key()), "shared")
    other = s.client(unique_access_key(), region="eu-west-1")
    assert other.list_tables()["TableNames"] == ["shared"]
    assert not (tmp_path / "data").exists()


def test_db_path_keeps_the_tables(start, tmp_path):
    db = tmp_path / "db"
    s = start(["-port", "{port}", "-dbPath", str(db)])
    key = unique_access_key()
    create_table(s.client(key), "kept")
    s.restart()
    assert s.client(key).list_tables()["TableNames"] == ["kept"]
    assert any(db.iterdir())


def test_flags_that_change_nothing_are_accepted_and_logged(start):
    # -delayTransientStatuses does something (test_transient_statuses.py).
    s = start(["-port", "{port}", "-inMemory", "-optimizeDbBeforeStartup", "-disableTelemetry",
               "--log-level", "info"])
    assert s.client(unique_access_key()).list_tables()["TableNames"] == []
    log = s.read_log()
    for flag in ("-optimizeDbBeforeStartup", "-disableTelemetry"):
        assert f"{flag}: accepted" in log, log


def test_help_and_version():
    for flag in ("-help", "-h", "--help"):
        r = run([flag])
        assert r.returncode == 0, r.stderr
        assert "--port N  (default 8000)" in r.stdout
        assert "-port N  -inMemory  -dbPath DIR  -sharedDb" in r.stdout
        assert "Examples:" in r.stdout
        # No type annotations or validator texts.
        for noise in (":INT", "TEXT", ":FLOAT", "in [", "Env:"):
            assert noise not in r.stdout, noise
    for flag in ("-version", "--version"):
        r = run([flag])
        assert r.returncode == 0 and r.stdout.startswith("cairn "), r


@pytest.mark.parametrize("argv,message", [
    (["-port"], "cairn: Missing argument for option: port"),
    (["-dbPath"], "cairn: Missing argument for option: dbPath"),
    (["--prot", "9000"], "cairn: unknown option --prot; did you mean --port?"),
    (["-inMemry"], "cairn: unknown option -inMemry; did you mean -inMemory?"),
    (["--in_memory"], "cairn: unknown option --in_memory; did you mean --in-memory?"),
    (["-sharedDB"], "cairn: unknown option -sharedDB; did you mean -sharedDb?"),
])
def test_bad_flags_exit_2_with_the_nearest(argv, message):
    r = run(argv)
    assert r.returncode == 2
    assert r.stderr.splitlines()[0] == message


def test_the_last_of_a_repeated_flag_wins(start):
    # As ./cairn.sh serve passes its defaults first and the user's flags after them.
    s = start(["--port", "1", "--in-memory", "--port", "{port}"])
    assert s.client(unique_access_key()).list_tables()["TableNames"] == []


def test_environment_variables(start, tmp_path):
    s = start([], env={"CAIRN_PORT": "{port}", "CAIRN_IN_MEMORY": "1", "CAIRN_SHARED_DB": "1",
                       "CAIRN_HOST": "127.0.0.1"})
    create_table(s.client(unique_access_key()), "env")
    assert s.client(unique_access_key()).list_tables()["TableNames"] == ["env"]


def test_command_line_beats_environment(start, tmp_path):
    s = start(["--port", "{port}", "--data-dir", str(tmp_path / "cli")],
              env={"CAIRN_DATA_DIR": str(tmp_path / "env"), "CAIRN_PORT": "1"})
    create_table(s.client(unique_access_key()), "t1x")
    assert (tmp_path / "cli").exists()
    assert not (tmp_path / "env").exists()


def test_bad_environment_value_is_refused():
    r = run(["--in-memory"], env={"CAIRN_PORT": "not-a-port"})
    assert r.returncode != 0
    assert "port" in r.stderr.lower()


@pytest.mark.parametrize("argv,env,message", [
    (["--engine", "rados"], {},
     "cairn: --engine rados needs --rados-conf FILE and --rados-pool NAME"),
    (["--engine", "rados", "--rados-conf", "/etc/ceph/ceph.conf"], {},
     "cairn: --engine rados needs --rados-conf FILE and --rados-pool NAME"),
    ([], {"CAIRN_ENGINE": "rados", "CAIRN_RADOS_POOL": "cairn"},
     "cairn: --engine rados needs --rados-conf FILE and --rados-pool NAME"),
    (["--engine", "rados", "--rados-conf", "c", "--rados-pool", "p", "--in-memory"], {},
     "cairn: --in-memory is for the rocksdb engine, not --engine rados"),
    (["--rados-pool", "p"], {}, "cairn: --rados-conf and --rados-pool need --engine rados"),
    (["--engine", "rocksdb", "--rados-conf", "c"], {},
     "cairn: --rados-conf and --rados-pool need --engine rados"),
    (["--rados-workers", "8"], {}, "cairn: --rados-workers needs --engine rados"),
    ([], {"CAIRN_RADOS_WORKERS": "0"}, "cairn: --rados-workers needs --engine rados"),
    (["--rados-shard-keys", "200"], {}, "cairn: --rados-shard-keys needs --engine rados"),
    ([], {"CAIRN_RADOS_SHARD_KEYS": "100000"}, "cairn: --rados-shard-keys needs --engine rados"),
])
def test_engine_flags_that_do_not_fit_exit_2(argv, env, message):
    r = run(argv, env=env)
    assert r.returncode == 2, r
    assert r.stderr.splitlines()[0] == message


@pytest.mark.parametrize("value", ["15", "0", "-1", "many", "2000000000000"])
def test_rados_shard_keys_out_of_range_is_refused(value):
    # At least 16 keys a shard (below, a shard would split on every few writes), at most 2^40.
    r = run(["--engine", "rados", "--rados-conf", "c", "--rados-pool", "p",
             "--rados-shard-keys", value])
    assert r.returncode != 0, r
    assert "--rados-shard-keys" in r.stderr, r.stderr


def test_unknown_engine_is_refused():
    r = run(["--engine", "leveldb"])
    assert r.returncode != 0  # CLI11's validation status, as for other values out of their set
    assert "--engine: leveldb not in {rocksdb,rados}" in r.stderr


def test_rocksdb_engine_named_explicitly(start):
    s = start(["--port", "{port}", "--engine", "rocksdb", "--in-memory"])
    assert s.client(unique_access_key()).list_tables()["TableNames"] == []


def test_rados_engine_that_cannot_open_exits_1(tmp_path):
    # A missing ceph.conf (or, in a build without librados, the engine itself) stops the start
    # before anything listens. The engine against a real cluster: tests/rados/run.
    missing = tmp_path / "no-ceph.conf"
    r = run(["--engine", "rados", "--rados-conf", str(missing), "--rados-pool", "p", "--port", "0"])
    assert r.returncode == 1, r
    assert f"cannot open storage pool p of {missing}" in r.stdout + r.stderr, r


def test_rados_engine_is_a_plugin_loaded_only_for_it(tmp_path):
    # The RADOS engine is cairn-rados.so (storage/rados_plugin.h), beside the binary in a build
    # that has librados; the binary itself does not link librados, so other starts skip loading it.
    deps = subprocess.run(["ldd", CAIRN_BIN], capture_output=True, text=True, check=True).stdout
    assert "librados" not in deps and "ceph" not in deps, deps
    plugin = os.path.join(os.path.dirname(CAIRN_BIN), "cairn-rados.so")
    missing = tmp_path / "no-ceph.conf"
    argv = ["--engine", "rados", "--rados-conf", str(missing), "--rados-pool", "p", "--port", "0"]
    if os.path.exists(plugin):  # loaded: the engine itself reads the configuration
        r = run(argv)
        assert r.returncode == 1 and f"rados: reading {missing}" in r.stdout + r.stderr, r
    # A binary without its plug-in (copied alone), and a plug-in path that is not a module.
    alone = tmp_path / "cairn"
    alone.write_bytes(open(CAIRN_BIN, "rb").read())
    alone.chmod(0o755)
    r = subprocess.run([str(alone), *argv], capture_output=True, text=True, timeout=10)
    assert r.returncode == 1, r
    assert "this cairn was built without the RADOS engine (no cairn-rados.so in " \
        f"{tmp_path}/cairn-rados.so" in r.stdout + r.stderr, r
    (tmp_path / "junk.so").write_text("not a module")
    r = run(argv, env={"CAIRN_RADOS_PLUGIN": str(tmp_path / "junk.so")})
    assert r.returncode == 1 and f"cannot load {tmp_path}/junk.so" in r.stdout + r.stderr, r
