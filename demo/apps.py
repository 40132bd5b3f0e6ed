from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo content (the course, its quizzes, demo accounts) and the synthetic data set for
    reports and benchmarks. Nothing in the platform imports it."""

    name = "demo"
    verbose_name = "Demo"
