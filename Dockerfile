FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY analyzers analyzers
COPY indexer indexer
COPY search_api search_api
COPY crawler crawler
COPY fasou fasou
COPY samples samples
RUN pip install --no-cache-dir .
ENV FASOU_DATA_DIR=/data FASOU_HOST=0.0.0.0
VOLUME ["/data"]
EXPOSE 8000
CMD ["sh", "-c", "fasou import starter && fasou serve"]
