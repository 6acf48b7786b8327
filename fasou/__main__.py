from fasou.cli import app

app(prog_name="fasou")
