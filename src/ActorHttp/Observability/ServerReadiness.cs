namespace ActorHttp.Observability;

/// <summary>Where the server is in its life, as <c>/readyz</c> reports it.</summary>
public enum ReadinessState
{
    /// <summary>The host has not finished starting: not ready.</summary>
    Starting,

    /// <summary>Started and accepting: ready.</summary>
    Serving,

    /// <summary>Asked to stop (SIGTERM): not ready, so load balancers send nothing new while it drains.</summary>
    Draining,
}

/// <summary>The server's <see cref="ReadinessState"/>, written by the host's lifecycle and read by the readiness check from any thread.</summary>
public sealed class ServerReadiness
{
    private volatile ReadinessState _state = ReadinessState.Starting;

    public ReadinessState State => _state;

    /// <summary>The host has started; a server already draining stays draining.</summary>
    public void MarkServing()
    {
        if (_state == ReadinessState.Starting)
        {
            _state = ReadinessState.Serving;
        }
    }

    public void MarkDraining() => _state = ReadinessState.Draining;
}
