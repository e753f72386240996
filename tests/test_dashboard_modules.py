"""The dashboard's module rules (docs/dashboard.md, "How it is built"): its ES modules import
each other without a cycle, and only the façade (dashboard/api.js) names an RPC or a table, so
that what the pages call is one list. The rules are checked on the real modules, then shown to
fail on small made-up ones."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = ROOT / "dashboard"
FACADE = "api.js"
# Static imports (`import ... from './x.js'`, `import './x.js'`) and dynamic ones.
IMPORT = re.compile(r"""(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}/[^'"]+)['"]""")
STRING = re.compile(r"""(['"`])([a-z_][a-z0-9_]*)\1""")
DATA_ACCESS = re.compile(r"\.(rpc|from)\(")
FUNCTION = re.compile(r"create\s+(?:or\s+replace\s+)?function\s+public\.(\w+)", re.IGNORECASE)


def imports(folder: Path) -> dict[str, set[str]]:
    """Each module's name and the names of the modules of the folder it imports."""
    graph = {}
    for path in sorted(folder.glob("*.js")):
        graph[path.name] = {
            (path.parent / target).resolve().relative_to(folder.resolve()).as_posix()
            for target in IMPORT.findall(path.read_text())
        }
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each import cycle once, as the modules along it, starting from its first by name."""
    found = set()

    def walk(module: str, path: list[str]) -> None:
        for target in sorted(graph.get(module, ())):
            if target in path:
                cycle = path[path.index(target):]
                first = cycle.index(min(cycle))
                found.add(tuple(cycle[first:] + cycle[:first]))
            else:
                walk(target, [*path, target])

    for module in sorted(graph):
        walk(module, [module])
    return [[*cycle, cycle[0]] for cycle in sorted(found)]


def public_functions(migrations: Path) -> set[str]:
    return {
        name.lower()
        for path in migrations.glob("*.sql")
        for name in FUNCTION.findall(path.read_text())
    }


def data_access_outside_the_facade(folder: Path, rpcs: set[str]) -> dict[str, list[str]]:
    """Per module other than the façade: the RPC names it spells and the `.rpc(`/`.from(`
    calls it makes."""
    found = {}
    for path in sorted(folder.glob("*.js")):
        if path.name == FACADE:
            continue
        text = path.read_text()
        named = sorted({name for _, name in STRING.findall(text) if name in rpcs})
        calls = [f".{call}(" for call in DATA_ACCESS.findall(text)]
        if named or calls:
            found[path.name] = named + calls
    return found


RPCS = public_functions(ROOT / "supabase" / "migrations")


def test_the_dashboard_modules_import_each_other_without_a_cycle():
    assert cycles(imports(DASHBOARD)) == []


def test_only_the_facade_names_an_rpc_or_reaches_the_data():
    assert data_access_outside_the_facade(DASHBOARD, RPCS) == {}


def test_every_rpc_the_facade_names_exists():
    named = set(re.findall(r"\.rpc\('(\w+)'", (DASHBOARD / FACADE).read_text()))
    assert named, "the façade names no RPC: has its call syntax changed?"
    assert named - RPCS == set()


def test_a_cycle_is_found_however_long(tmp_path):
    (tmp_path / "a.js").write_text("import { b } from './b.js';\n")
    (tmp_path / "b.js").write_text("import {\n  c,\n} from './c.js';\n")
    (tmp_path / "c.js").write_text("const a = await import('./a.js');\n")
    (tmp_path / "d.js").write_text("import './a.js';\n")
    assert cycles(imports(tmp_path)) == [["a.js", "b.js", "c.js", "a.js"]]


def test_a_module_importing_its_importer_is_a_cycle(tmp_path):
    (tmp_path / "numbers.js").write_text("import { card } from './cards.js';\n")
    (tmp_path / "cards.js").write_text('import { percent } from "./numbers.js";\n')
    assert cycles(imports(tmp_path)) == [["cards.js", "numbers.js", "cards.js"]]


def test_an_rpc_called_outside_the_facade_is_found(tmp_path):
    (tmp_path / FACADE).write_text("export const q = (c) => c.rpc('support_queue', {});\n")
    (tmp_path / "page.js").write_text(
        "export const load = (context) => context.api.call('support_queue', {});\n"
        "export const rows = (client) => client.from('support_staff').select('*');\n"
        "export const title = 'support queue';\n"
    )
    assert data_access_outside_the_facade(tmp_path, RPCS) == {
        "page.js": ["support_queue", ".from("]
    }
