namespace ActorHttp.Bench;

/// <summary>
/// One client that loops requests to a route whose handler throws, for the attack's duration: one
/// connection, one request at a time, so its rate is bounded by the server's own answers.
/// </summary>
public sealed class CrashAttack(TimeSpan duration) : IAttack
{
    public const string Path = "/crash";

    private Task<LoopResult>? _requests;
    private LoopResult? _result;

    public Task StartAsync(int port)
    {
        _requests = LoopingClients.RunAsync(port, Path, connections: 1, duration);
        return Task.CompletedTask;
    }

    public AttackerView Observe() =>
        new(1, _result is null ? 0 : 1, [], _result);

    public async ValueTask DisposeAsync()
    {
        if (_requests is not null)
        {
            _result = await _requests;
        }
    }
}
