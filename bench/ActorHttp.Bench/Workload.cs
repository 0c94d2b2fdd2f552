namespace ActorHttp.Bench;

/// <summary>One load pattern, run identically against every server.</summary>
public sealed record Workload(string Name, string Path, int Connections, bool Pipelined = false)
{
    /// <summary>The workloads of the report, in the order they are run and shown.</summary>
    public static IReadOnlyList<Workload> All { get; } =
    [
        new("plaintext", "/hello", 64),
        new("plaintext pipelined x16", "/hello", 64, Pipelined: true),
        new("json", "/json", 64),
        new("static 1 KiB", "/bench/1k.bin", 64),
        new("static 1 MiB", "/bench/1m.bin", 64),
        new("actor counter", "/counter", 64),
        new("plaintext 256 conns", "/hello", 256),
        new("plaintext 1024 conns", "/hello", 1024),
    ];
}
