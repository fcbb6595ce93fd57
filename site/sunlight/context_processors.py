from .preferences import elderly_mode


def preferences(request):
    return {"elderly_mode": elderly_mode(request)}
