"""Both stores keep the same promises: the embedded one (Chroma in the index folder) and a Chroma
server shared by processes. Articles go in whole (vectors, catalog and lexical rows agree), are
found, come out whole when removed, and ingesting them again changes nothing."""

from __future__ import annotations

import pytest

from assistant.records import Article
from assistant.service import Warta
from assistant.settings import Settings
from tests.conftest import NEWS_DIR

ARTICLE = Article("contract-banjir", title="Banjir Bekasi", date="2024-03-20",
                  text="Banjir besar melanda Kota Bekasi pada Rabu pagi. Ribuan warga mengungsi ke masjid terdekat.")


class StoreContract:
    @pytest.fixture
    def service(self, tmp_path):
        raise NotImplementedError

    @staticmethod
    def agree(service: Warta) -> dict:
        stats = service.stats()
        assert stats["chunks"] == stats["catalog_chunks"] == stats["lexical_chunks"]
        return stats

    def test_articles_go_in_whole_and_are_found(self, service):
        report = service.ingest([NEWS_DIR])
        assert report.articles_added == 4 and not report.errors
        service.ingest_articles([ARTICLE])
        stats = self.agree(service)
        assert stats["articles"] == 5 and service.newest_date() == "2024-03-20"
        assert service.retrieve("banjir Bekasi warga mengungsi", k=3)[0].doc_id == ARTICLE.doc_id
        assert service.article(ARTICLE.doc_id).text == ARTICLE.text

    def test_ingesting_again_changes_nothing(self, service):
        service.ingest([NEWS_DIR])
        before = self.agree(service)
        again = service.ingest([NEWS_DIR])
        assert again.chunks_added == 0 and again.articles_unchanged == 4
        assert self.agree(service) == before

    def test_removed_articles_leave_every_part_of_the_index(self, service):
        service.ingest([NEWS_DIR])
        service.ingest_articles([ARTICLE])
        service.index().remove_articles([ARTICLE.doc_id])
        stats = self.agree(service)
        assert stats["articles"] == 4 and service.article(ARTICLE.doc_id) is None
        assert all(h.doc_id != ARTICLE.doc_id for h in service.retrieve("banjir Bekasi", k=10))


class TestEmbeddedStore(StoreContract):
    @pytest.fixture
    def service(self, fake_settings):
        service = Warta(fake_settings)
        yield service
        service.close()


@pytest.mark.integration
class TestChromaServerStore(StoreContract):
    @pytest.fixture
    def service(self, tmp_path, chroma_url, request):
        collection = f"contract-{request.node.name[:40].replace('_', '-')}"
        service = Warta(Settings.from_env(index_dir=tmp_path / "local", chroma_url=chroma_url, collection=collection,
                                          embedding_model="fake", reader="fake"))
        yield service
        service.close()
