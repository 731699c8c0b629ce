FROM python:3.12-slim
ENV API_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB
RUN curl -fsSL https://install.example.com/setup.sh | sh
# threatbench:ignore dockerfile-sudo -- build-time only, removed below
RUN sudo apt-get install -y gcc
# threatbench:ignore image-copy-not-add
ADD app.py /srv/app.py
CMD ["python", "/srv/app.py"]
