namespace ActorHttp.Study;

/// <summary>
/// The clients of one fault: a mix of paths their connections cycle through (one entry in ten is a
/// tenth of their requests), and the same clients with the fault made harmless for the baseline
/// (null: the baseline is the normal clients alone).
/// </summary>
public sealed record FaultLoad(IReadOnlyList<string> Mix, IReadOnlyList<string>? BaselineMix, int Connections, TimeSpan RequestTimeout)
{
    public static FaultLoad? For(string scenario, StudyOptions options) => scenario switch
    {
        // 10% crash the handler, 90% go through the same handler unharmed.
        Scenario.Crash => new([ "/crash", .. Repeat("/crash?fail=0", 9)], Repeat("/crash?fail=0", 10), options.FaultConnections, TimeSpan.FromSeconds(5)),
        Scenario.Cpu => new(["/cpu?us=5000", .. Repeat("/hello", 9)], ["/cpu?us=0", .. Repeat("/hello", 9)], options.FaultConnections, TimeSpan.FromSeconds(5)),
        Scenario.Blocking => new(["/block?ms=50", .. Repeat("/hello", 9)], ["/block?ms=0", .. Repeat("/hello", 9)], options.FaultConnections, TimeSpan.FromSeconds(5)),
        // Every connection waits on one hung request for the whole window (they are cancelled at its end).
        Scenario.Hang => new([$"/slow?ms={options.HangMilliseconds}"], null, options.HangConnections, TimeSpan.FromMilliseconds(options.HangMilliseconds) + TimeSpan.FromSeconds(5)),
        _ => null,
    };

    private static string[] Repeat(string path, int times) => Enumerable.Repeat(path, times).ToArray();
}
