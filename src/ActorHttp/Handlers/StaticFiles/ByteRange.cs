namespace ActorHttp.Handlers.StaticFiles;

/// <summary>One satisfiable byte range of a representation, inclusive at both ends (RFC 9110 §14.1.2).</summary>
public readonly record struct ByteRange(long First, long Last)
{
    public long Length => Last - First + 1;

    /// <summary>What a <c>Range</c> field asks of a representation of a known size in bytes.</summary>
    public enum Outcome
    {
        /// <summary>No usable Range (absent, not bytes, malformed, or several ranges): send it all, 200.</summary>
        Whole,

        /// <summary>One satisfiable range: 206.</summary>
        Partial,

        /// <summary>A well-formed range that starts past the end: 416.</summary>
        Unsatisfiable,
    }

    /// <summary>
    /// Reads <c>bytes=a-b</c>, <c>bytes=a-</c> and <c>bytes=-n</c>. Several ranges are answered with the
    /// whole representation (allowed: a server may ignore Range, RFC 9110 §14.2), which spares the
    /// multipart/byteranges format.
    /// </summary>
    public static Outcome Parse(string? field, long size, out ByteRange range)
    {
        range = default;
        if (field is null || !field.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return Outcome.Whole;
        }

        var spec = field.AsSpan(6).Trim();
        if (spec.Contains(',') || spec.IndexOf('-') is var dash && dash < 0)
        {
            return Outcome.Whole;
        }

        var firstText = spec[..dash].Trim();
        var lastText = spec[(dash + 1)..].Trim();
        if (firstText.IsEmpty)
        {
            // Suffix range: the last n bytes.
            if (!long.TryParse(lastText, System.Globalization.NumberStyles.None, null, out var suffix))
            {
                return Outcome.Whole;
            }

            if (suffix == 0 || size == 0)
            {
                return Outcome.Unsatisfiable;
            }

            range = new ByteRange(Math.Max(0, size - suffix), size - 1);
            return Outcome.Partial;
        }

        if (!long.TryParse(firstText, System.Globalization.NumberStyles.None, null, out var first))
        {
            return Outcome.Whole;
        }

        var last = size - 1;
        if (!lastText.IsEmpty)
        {
            if (!long.TryParse(lastText, System.Globalization.NumberStyles.None, null, out last) || last < first)
            {
                return Outcome.Whole;
            }
        }

        if (first >= size)
        {
            return Outcome.Unsatisfiable;
        }

        range = new ByteRange(first, Math.Min(last, size - 1));
        return Outcome.Partial;
    }
}
