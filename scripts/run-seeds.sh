#!/usr/bin/env bash
# The main job: set up, ingest the seed reports into the embedded store (a SQLite file; --db / GONGKAI_DB
# to use another), then print their findings and the consolidated figures.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
seeds="${1:-../shared/seeds}"
[ -d "$seeds" ] || seeds=tests/fixtures/seeds
gk=.venv/bin/gongkai
$gk reparse --outdated --missing-ok >/dev/null  # stored by an older extractor: re-extract from their originals
echo "### 入库与核查结果"
$gk ingest --no-progress --findings "$seeds" || echo "（有文件入库失败，原因见上）"
echo
echo "### 合计数字（按市汇总）"
$gk stats --by city
echo
echo "### 网页应用"
echo "浏览这些报告（报告库、原文与表格对照、核查、比较、统计）：运行 .venv/bin/gongkai serve ，然后打开 http://127.0.0.1:8000/"
