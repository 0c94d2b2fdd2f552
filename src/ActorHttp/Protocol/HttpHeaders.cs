using System.Collections;

namespace ActorHttp.Protocol;

/// <summary>
/// An ordered, immutable list of header fields that keeps the names as they were spelled on the wire
/// (the echo route shows them back) while looking them up case-insensitively (RFC 9110 §5.1).
/// </summary>
public sealed class HttpHeaders : IReadOnlyList<KeyValuePair<string, string>>
{
    public static readonly HttpHeaders Empty = new(Array.Empty<KeyValuePair<string, string>>());

    private readonly KeyValuePair<string, string>[] _fields;

    public HttpHeaders(KeyValuePair<string, string>[] fields) => _fields = fields;

    public HttpHeaders(IEnumerable<(string Name, string Value)> fields)
        : this(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)).ToArray())
    {
    }

    public int Count => _fields.Length;

    public KeyValuePair<string, string> this[int index] => _fields[index];

    /// <summary>The first value of the named field, or null when absent.</summary>
    public string? this[string name]
    {
        get
        {
            foreach (var field in _fields)
            {
                if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    return field.Value;
                }
            }

            return null;
        }
    }

    public bool Contains(string name) => this[name] is not null;

    public IEnumerable<string> GetValues(string name)
    {
        foreach (var field in _fields)
        {
            if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                yield return field.Value;
            }
        }
    }

    /// <summary>
    /// True when a comma-separated list field (e.g. <c>Connection</c>) holds the token, compared
    /// case-insensitively, across every line of that field (RFC 9110 §5.6.1).
    /// </summary>
    public bool HasToken(string name, string token)
    {
        // Asked of every request (Connection, Expect): no iterator, no split strings.
        foreach (var field in _fields)
        {
            if (!string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var value = field.Value.AsSpan();
            foreach (var range in value.Split(','))
            {
                if (value[range].Trim(" \t").Equals(token, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>A <c>foreach</c> over the fields allocates nothing (the interface's enumerator would be a boxed one per loop).</summary>
    public Enumerator GetEnumerator() => new(_fields);

    IEnumerator<KeyValuePair<string, string>> IEnumerable<KeyValuePair<string, string>>.GetEnumerator() =>
        ((IEnumerable<KeyValuePair<string, string>>)_fields).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _fields.GetEnumerator();

    public struct Enumerator(KeyValuePair<string, string>[] fields)
    {
        private int _index = -1;

        public readonly KeyValuePair<string, string> Current => fields[_index];

        public bool MoveNext() => ++_index < fields.Length;
    }
}
