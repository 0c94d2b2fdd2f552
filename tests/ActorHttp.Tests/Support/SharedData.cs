using System.Text.Json;

namespace ActorHttp.Tests.Support;

/// <summary>
/// Finds the project's shared test data, which lives beside the repository (<c>../shared</c>) and is
/// read from there, never copied in.
/// </summary>
public static class SharedData
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string ConformanceFile => Path.Combine(RepositoryRoot, "..", "shared", "conformance", "requests.jsonl");

    /// <summary>Every conformance case, keyed by its id, for <c>[MemberData]</c>.</summary>
    public static IEnumerable<object[]> ConformanceCaseIds() =>
        File.ReadLines(ConformanceFile)
            .Where(line => !string.IsNullOrWhiteSpace(line))
            .Select(line => new object[] { ConformanceCase.Parse(line).Id });

    public static ConformanceCase ConformanceCaseById(string id) =>
        File.ReadLines(ConformanceFile)
            .Where(line => !string.IsNullOrWhiteSpace(line))
            .Select(ConformanceCase.Parse)
            .Single(c => c.Id == id);

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ActorHttp.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"ActorHttp.sln not found above {AppContext.BaseDirectory}");
    }
}

/// <summary>One line of <c>requests.jsonl</c>: raw request bytes and what a strict server must do.</summary>
public sealed record ConformanceCase(
    string Id,
    string Rfc,
    byte[] Raw,
    int[] AllowedStatuses,
    bool? MustClose,
    string? Method,
    string? Path,
    string? Query,
    byte[]? Body)
{
    public bool IsServed => Method is not null;

    public static ConformanceCase Parse(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        var expect = root.GetProperty("expect");
        // "raw" maps one character to one byte (latin-1); "raw_b64" carries arbitrary bytes.
        var raw = root.TryGetProperty("raw", out var rawText)
            ? Latin1(rawText.GetString()!)
            : Convert.FromBase64String(root.GetProperty("raw_b64").GetString()!);
        var close = expect.GetProperty("close");
        return new ConformanceCase(
            root.GetProperty("id").GetString()!,
            root.GetProperty("rfc").GetString()!,
            raw,
            expect.GetProperty("status").EnumerateArray().Select(s => s.GetInt32()).ToArray(),
            close.ValueKind == JsonValueKind.Null ? null : close.GetBoolean(),
            expect.TryGetProperty("method", out var m) ? m.GetString() : null,
            expect.TryGetProperty("path", out var p) ? p.GetString() : null,
            expect.TryGetProperty("query", out var q) ? q.GetString() : null,
            expect.TryGetProperty("body", out var b) ? Latin1(b.GetString()!) : null);
    }

    private static byte[] Latin1(string text) => System.Text.Encoding.Latin1.GetBytes(text);

    public override string ToString() => Id;
}
