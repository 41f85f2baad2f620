"""deploy.paths finds the checkout at run time ($CLINSERVE_REPO_ROOT, the current directory and
above, then the module's own folder and above), not from an installed file's parents[2]."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy import cli, paths


def fake_checkout(root: Path) -> Path:
    (root / "helm" / "clinserve").mkdir(parents=True)
    (root / "helm" / "clinserve" / "Chart.yaml").write_text("apiVersion: v2\nname: clinserve\n")
    return root


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No checkout around: the env var unset, cwd and the module file outside any checkout."""
    monkeypatch.delenv("CLINSERVE_REPO_ROOT", raising=False)
    monkeypatch.delenv("CLINSERVE_CRDS_DIR", raising=False)
    installed = tmp_path / "venv" / "lib" / "site-packages" / "deploy"
    installed.mkdir(parents=True)
    monkeypatch.setattr(paths, "__file__", str(installed / "paths.py"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return tmp_path


def test_the_env_var_wins(elsewhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = fake_checkout(elsewhere / "checkout")
    monkeypatch.setenv("CLINSERVE_REPO_ROOT", str(root))
    assert paths.repo_root() == root.resolve()
    assert root.resolve() / "helm" / "clinserve" == paths.CHART_DIR
    assert root.resolve() / "helm" / "clinserve" / "values.schema.json" == paths.SCHEMA_FILE
    assert paths.profile_files("cpu") == (root.resolve() / "helm" / "clinserve" / "values-cpu.yaml",)


def test_an_env_var_without_a_chart_is_an_error(elsewhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLINSERVE_REPO_ROOT", str(elsewhere))
    with pytest.raises(paths.RepoNotFound, match="CLINSERVE_REPO_ROOT"):
        paths.repo_root()


def test_found_walking_up_from_the_current_directory(
    elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = fake_checkout(elsewhere / "checkout")
    deep = root / "docs" / "sub"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert paths.repo_root() == root.resolve()
    assert root.resolve() / "k8s" == paths.K8S_DIR


def test_found_walking_up_from_the_module_file(elsewhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = fake_checkout(elsewhere / "checkout")
    (root / "deploy").mkdir()
    monkeypatch.setattr(paths, "__file__", str(root / "deploy" / "paths.py"))
    assert paths.repo_root() == root.resolve()


def test_no_checkout_is_a_clear_error(elsewhere: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(paths.RepoNotFound, match=r"helm/clinserve/Chart\.yaml.*CLINSERVE_REPO_ROOT"):
        paths.repo_root()
    assert cli.main(["schema", "--check"]) == cli.EXIT_ERROR
    assert "no Clinserve checkout found" in capsys.readouterr().err
    assert "render" in cli.build_parser().format_help()  # --help needs no checkout


def test_crds_dir_env_var_then_shared_next_to_the_checkout(
    elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = fake_checkout(elsewhere / "checkout")
    monkeypatch.setenv("CLINSERVE_REPO_ROOT", str(root))
    assert paths.crds_dir() is None
    shared = elsewhere / "shared" / "crds"
    shared.mkdir(parents=True)
    (shared / "ray.io_rayservices.yaml").write_text("{}\n")
    assert paths.crds_dir() == shared
    mine = elsewhere / "my-crds"
    mine.mkdir()
    (mine / "ray.io_rayservices.yaml").write_text("{}\n")
    monkeypatch.setenv("CLINSERVE_CRDS_DIR", str(mine))
    assert paths.crds_dir() == mine
