from satchel import __version__
from satchel.app import create_app
from satchel.config import Settings


async def test_health_and_version_are_served(aiohttp_client, tmp_path):
    client = await aiohttp_client(create_app(Settings(data_dir=tmp_path / "data")))
    health = await client.get("/healthz")
    assert health.status == 200
    assert await health.json() == {"status": "ok"}
    version = await client.get("/version")
    assert (await version.json())["version"] == __version__


async def test_unknown_route_answers_problem_details_not_html(aiohttp_client, tmp_path):
    client = await aiohttp_client(create_app(Settings(data_dir=tmp_path / "data")))
    response = await client.get("/nope")
    assert response.status == 404
    assert response.content_type == "application/problem+json"
    body = await response.json()
    assert body["status"] == 404
    assert body["type"].endswith("/not-found")


async def test_unexpected_error_gives_500_problem_without_stack_trace(aiohttp_client, tmp_path):
    app = create_app(Settings(data_dir=tmp_path / "data"))

    async def boom(request):
        raise RuntimeError("secret internals /etc/passwd")

    app.router.add_get("/boom", boom)
    client = await aiohttp_client(app)
    response = await client.get("/boom")
    text = await response.text()
    assert response.status == 500
    assert "Traceback" not in text
    assert "secret internals" not in text


async def test_data_folder_is_created_readable_by_its_owner_only(aiohttp_client, tmp_path):
    import os
    import stat

    data = tmp_path / "fresh" / "data"
    await aiohttp_client(create_app(Settings(data_dir=data)))
    assert stat.S_IMODE(os.stat(data).st_mode) & 0o077 == 0
