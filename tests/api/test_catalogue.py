"""The public catalogue, health and the widget page through the real FastAPI app."""

from fastapi.testclient import TestClient


def test_api_health_catalogue_and_widget_page(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    modules = client.get("/api/modules", params={"limit": 500}).json()
    assert len(modules) >= 30 and all(m["status"] == "approved" for m in modules)
    module_id = modules[0]["id"]
    assert client.get(f"/api/modules/{module_id}").json()["title"] == modules[0]["title"]
    missing = client.get("/api/modules/999999")
    assert missing.status_code == 404 and "nicht gefunden" in missing.json()["detail"][0]["message_de"]
    assert client.get("/api/modules/abc").status_code == 422
    assert client.get("/api/modules", params={"status": "bogus"}).status_code == 422
    assert len(client.get("/api/competencies").json()) >= 40
    assert len(client.get("/api/roles").json()) >= 12
    page = client.get("/")
    assert page.status_code == 200 and "__RASA_URL__" not in page.text and "widget.js" in page.text
    assert client.get("/widget/widget.js").status_code == 200
