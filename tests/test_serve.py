"""Serving dashboards: the Voilà command journeyviz runs is locked down and local."""

from __future__ import annotations

import pytest

from journeyviz import serve


def test_voila_command_is_local_quiet_and_preheated(tmp_path):
    cmd = serve.voila_command(tmp_path, 8870)
    assert cmd[1:4] == ["-m", "voila", str(tmp_path)]
    assert "--Voila.ip=127.0.0.1" in cmd and "--port=8870" in cmd
    assert "--show_tracebacks=False" in cmd and "--strip_sources=True" in cmd
    assert "--preheat_kernel=True" in cmd and "--pool_size=1" in cmd
    assert "--no-browser" in cmd
    assert "--pool_size=0" in serve.voila_command(tmp_path, 8870, preheat=False)
    assert "--no-browser" not in serve.voila_command(tmp_path, 8870, open_browser=True)


def test_serve_refuses_missing_folders(tmp_path):
    with pytest.raises(FileNotFoundError, match="notebooks_dir"):
        serve.serve(tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="data"):
        serve.serve(tmp_path, data=tmp_path / "no_data")


def test_data_folder_reaches_the_kernels_through_the_environment(tmp_path):
    env = serve._env(tmp_path)
    assert env["JOURNEYVIZ_DATA"] == str(tmp_path.resolve())


def test_free_port_is_bindable():
    import socket

    port = serve.free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
