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

    /// <summary>The workloads named (comma-separated, as in the report), in <see cref="All"/>'s order; all when <paramref name="names"/> is null.</summary>
    /// <exception cref="ArgumentException">A name that is no workload's.</exception>
    public static IReadOnlyList<Workload> Named(string? names)
    {
        if (names is null)
        {
            return All;
        }

        var wanted = names.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (wanted.FirstOrDefault(name => All.All(w => w.Name != name)) is { } unknown)
        {
            throw new ArgumentException($"no workload is named \"{unknown}\"; the workloads are: {string.Join(", ", All.Select(w => w.Name))}");
        }

        return All.Where(w => wanted.Contains(w.Name)).ToList();
    }
}
