namespace ActorHttp.Handlers.Shared;

/// <summary>
/// The few query readings the study's handlers need, on the query exactly as sent (undecoded): their
/// parameters are plain ASCII numbers, so nothing is lost by not decoding.
/// </summary>
internal static class QueryParameters
{
    /// <summary>True when one of the query's <c>&amp;</c>-separated pairs is exactly <paramref name="pair"/>.</summary>
    public static bool HasPair(string query, string pair)
    {
        foreach (var range in query.AsSpan().Split('&'))
        {
            if (query.AsSpan(range).SequenceEqual(pair))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Reads the first <c>name=value</c> pair as a whole number from 0 to <paramref name="max"/>
    /// (digits only: no sign, no spaces); <paramref name="defaultValue"/> when the query has no such
    /// pair; false when it has one that is not such a number.
    /// </summary>
    public static bool TryReadWholeNumber(string query, string name, int defaultValue, int max, out int value)
    {
        value = defaultValue;
        foreach (var range in query.AsSpan().Split('&'))
        {
            var pair = query.AsSpan(range);
            var separator = pair.IndexOf('=');
            if (separator > 0 && pair[..separator].SequenceEqual(name))
            {
                return int.TryParse(pair[(separator + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value)
                    && value <= max;
            }
        }

        return true;
    }
}
