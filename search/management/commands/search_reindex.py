import sys
import time

from django.core.management.base import BaseCommand

from tqdm import tqdm

from search import documents, service


class Command(BaseCommand):
    help = (
        "重建全文检索索引：全部已发布且公开的事项（数据库，及已配置的 Elasticsearch）。"
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        count = documents.rebuild_all(progress=self.progress)
        self.stdout.write(f"数据库索引：{count} 条检索文档。")
        elastic = service.elastic_backend()
        if elastic is not None:
            try:
                elastic.rebuild()
            except Exception as error:  # noqa: BLE001 - reported, the database serves
                self.stderr.write(f"Elasticsearch 索引未重建：{error}")
            else:
                self.stdout.write("Elasticsearch 索引已重建。")
        self.stdout.write(f"用时 {time.monotonic() - started:.1f} 秒。")

    def progress(self, batches, total):
        bar = tqdm(total=total, desc="建立索引", unit="项", file=sys.stderr)
        with bar:
            for batch in batches:
                yield batch
                bar.update(min(documents.BATCH_SIZE, total - bar.n))
