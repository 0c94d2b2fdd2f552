using ActorHttp.Observability;

namespace ActorHttp.Actors;

/// <summary>
/// What a connection remembers of each request it observes (request id, trace, route, when it
/// started), from the parse until its answer is written. At most the pipelining limit of them are
/// under way at once; their records are reused, so an observed keep-alive request allocates none.
/// </summary>
internal sealed class ConnectionObservations(int capacity)
{
    private readonly List<ObservedRequest> _underWay = new(Math.Min(capacity, 4));
    private readonly Stack<ObservedRequest> _spare = new();

    public void Add(long sequence, string methodTag, bool metered, bool counted, string? requestId, RequestTrace trace, System.Net.IPAddress? client)
    {
        var observed = _spare.Count > 0 ? _spare.Pop() : new ObservedRequest();
        observed.Sequence = sequence;
        observed.MethodTag = methodTag;
        observed.Metered = metered;
        observed.Counted = counted;
        observed.RequestId = requestId;
        observed.Trace = trace;
        observed.Client = client;
        observed.Route = null;
        _underWay.Add(observed);
    }

    public ObservedRequest? Find(long sequence)
    {
        foreach (var observed in _underWay)
        {
            if (observed.Sequence == sequence)
            {
                return observed;
            }
        }

        return null;
    }

    /// <summary>The request of <paramref name="sequence"/>, no longer under way; hand it back with <see cref="Return"/> once read.</summary>
    public ObservedRequest? Take(long sequence)
    {
        for (var i = 0; i < _underWay.Count; i++)
        {
            if (_underWay[i].Sequence == sequence)
            {
                var observed = _underWay[i];
                _underWay.RemoveAt(i);
                return observed;
            }
        }

        return null;
    }

    public void Return(ObservedRequest observed)
    {
        observed.Trace = RequestTrace.None;
        observed.Client = null;
        _spare.Push(observed);
    }

    /// <summary>The connection closed with these requests unanswered: they end here, as aborted.</summary>
    public void AbandonAll(ServerMetrics? metrics)
    {
        foreach (var observed in _underWay)
        {
            if (observed.Counted)
            {
                metrics?.RequestAbandoned(observed.MethodTag);
            }

            if (observed.Trace.Activity is { } activity)
            {
                ServerTracing.AbandonRequest(activity);
            }
        }

        _underWay.Clear();
    }
}

/// <summary>One observed request on its connection (mutable: the connection's own state, never sent anywhere).</summary>
internal sealed class ObservedRequest
{
    public long Sequence { get; set; }
    public string MethodTag { get; set; } = "_OTHER";

    /// <summary>Whether a metric listened when it started (its duration is then recorded).</summary>
    public bool Metered { get; set; }

    /// <summary>Whether it was counted in <c>http.server.active_requests</c> (and so must be counted out).</summary>
    public bool Counted { get; set; }
    public string? RequestId { get; set; }

    /// <summary>Its trace: the activity if one was made, and the ids.</summary>
    public RequestTrace Trace { get; set; }
    public System.Net.IPAddress? Client { get; set; }

    /// <summary>The template of the route that answered; null until (or unless) one did.</summary>
    public string? Route { get; set; }
}
