using System.Globalization;

namespace ActorHttp.Bench;

/// <summary>How the server treated one kind of attack socket.</summary>
public sealed record SocketReactions(
    string Variant,
    int Opened,
    int Answered,
    IReadOnlyDictionary<int, long> Statuses,
    double MedianSecondsToAnswer,
    int ClosedByServer,
    double MedianSecondsToClose)
{
    public int OpenAtEnd => Opened - ClosedByServer;
}

/// <summary>
/// What the attacker saw: how many of its sockets it got open and, for attacks that read, how the
/// server answered and closed them; for the crash client, what its requests got.
/// </summary>
public sealed record AttackerView(int Sockets, int Opened, IReadOnlyList<SocketReactions> Reactions, LoopResult? Requests)
{
    public static AttackerView FromSockets(int asked, IReadOnlyCollection<AttackSocket> sockets, bool watched)
    {
        var reactions = watched
            ? sockets.Where(s => s.Opened).GroupBy(s => s.Variant).Select(group => new SocketReactions(
                    group.Key,
                    group.Count(),
                    group.Count(s => s.SecondsToAnswer is not null),
                    new SortedDictionary<int, long>(group.Where(s => s.Status is not null).GroupBy(s => s.Status!.Value).ToDictionary(g => g.Key, g => (long)g.Count())),
                    Median(group.Where(s => s.SecondsToAnswer is not null).Select(s => s.SecondsToAnswer!.Value)),
                    group.Count(s => s.SecondsToClose is not null),
                    Median(group.Where(s => s.SecondsToClose is not null).Select(s => s.SecondsToClose!.Value))))
                .ToList()
            : [];
        return new AttackerView(asked, sockets.Count(s => s.Opened), reactions, null);
    }

    /// <summary>One line for the report's table.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (Opened < Sockets)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"opened {Opened:N0} of {Sockets:N0}"));
        }

        foreach (var reaction in Reactions)
        {
            var label = reaction.Variant.Length > 0 ? $"{reaction.Variant}: " : "";
            var answered = reaction.Answered == 0
                ? "no answer"
                : string.Create(CultureInfo.InvariantCulture, $"{reaction.Answered:N0} answered ({FormatStatuses(reaction.Statuses)}) after {reaction.MedianSecondsToAnswer:0.0##} s (median)");
            var closed = reaction.ClosedByServer == 0
                ? "none closed"
                : string.Create(CultureInfo.InvariantCulture, $"{reaction.ClosedByServer:N0} closed by the server after {reaction.MedianSecondsToClose:0.0##} s (median)");
            parts.Add($"{label}{answered}, {closed}");
        }

        if (Requests is { } requests)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"crash client: {requests.Attempts:N0} requests ({FormatStatuses(requests.Statuses)}{(requests.Attempts > requests.Successes + requests.ErrorStatuses ? $", {requests.Attempts - requests.Successes - requests.ErrorStatuses:N0} failed" : "")})"));
        }

        if (Reactions.Count == 0 && Requests is null)
        {
            parts.Add("never reads: the server side's count is all there is");
        }

        return string.Join("; ", parts);
    }

    private static string FormatStatuses(IReadOnlyDictionary<int, long> statuses) =>
        statuses.Count == 0 ? "no status line" : string.Join(", ", statuses.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key} ×{s.Value:N0}")));

    private static double Median(IEnumerable<double> values) => LoopResult.Percentile(values.Order().ToList(), 0.5);
}
