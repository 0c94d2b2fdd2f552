using System.Text;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace ActorHttp.Hosting;

/// <summary>
/// Parses one HOCON text of the configuration (a <c>--config</c> file, the code overrides) with what
/// Akka's own parser lacks. That parser reads <c>${?NAME}</c> as <c>${}</c>, a reference to the root
/// object that then contains itself (endless recursion: a stack overflow), knows no environment, and
/// accepts unbalanced braces, unterminated strings and keys without a value in silence. So before
/// Akka sees the text, environment substitutions are replaced by their values and the structure is
/// checked with line numbers; after, a substitution that refers to itself is refused.
/// </summary>
internal static class HoconText
{
    // Stands where an optional substitution found nothing; the field holding only it is removed
    // after parsing, so the key keeps the value the layers below give it (HOCON's rule).
    private const string Unset = "\u0001actorhttp-unset\u0001";

    /// <summary>
    /// Parses <paramref name="text"/>; every error is a <see cref="ConfigurationException"/> naming
    /// <paramref name="source"/> and, for a text of several lines, the line.
    /// </summary>
    public static Config Parse(string text, string source, IReadOnlyDictionary<string, string> environment, bool numberLines = true)
    {
        var (prepared, requiredSubstitutionLines) = Prepare(text, source, environment, numberLines);
        Config config;
        try
        {
            config = ConfigurationFactory.ParseString(prepared);
        }
        catch (FormatException error) when (error.Message.StartsWith("Unresolved substitution:", StringComparison.Ordinal))
        {
            var path = error.Message["Unresolved substitution:".Length..].Trim();
            throw new ConfigurationException($"{source}{LineOf(requiredSubstitutionLines, path)}: ${{{path}}} is neither an environment variable nor a key of this file (write ${{?{path}}} to make it optional)");
        }
        catch (Exception error)
        {
            throw new ConfigurationException($"{source}: not valid HOCON: {error.Message}");
        }

        // Before anything walks the tree: every reading of a value that contains itself recurses without end.
        foreach (var substitution in config.Substitutions)
        {
            if (Reaches(substitution.ResolvedValue, substitution, new HashSet<object>(ReferenceEqualityComparer.Instance)))
            {
                throw new ConfigurationException($"{source}{LineOf(requiredSubstitutionLines, substitution.Path)}: ${{{substitution.Path}}} leads back to itself (a key cannot be defined by itself: ${{?{substitution.Path}}} keeps the value of the layers below)");
            }
        }

        RemoveUnsetFields(config.Root);
        return config;
    }

    /// <summary>Quotes <paramref name="value"/> as a HOCON string.</summary>
    public static string Quote(string value)
    {
        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }

    private static string LineOf(Dictionary<string, int> lines, string path) =>
        lines.TryGetValue(path, out var line) ? $":{line}" : string.Empty;

    /// <summary>
    /// Replaces <c>${NAME}</c> and <c>${?NAME}</c> whose NAME is set in the environment by the quoted
    /// value, and unset <c>${?NAME}</c> by <see cref="Unset"/>; leaves unset <c>${NAME}</c> to Akka
    /// (a key of the same file). Checks strings, brackets and values on the way.
    /// </summary>
    private static (string Text, Dictionary<string, int> RequiredSubstitutionLines) Prepare(string text, string source, IReadOnlyDictionary<string, string> environment, bool numberLines)
    {
        var output = new StringBuilder(text.Length);
        var requiredLines = new Dictionary<string, int>(StringComparer.Ordinal);
        var open = new Stack<(char Bracket, int Line)>();
        var line = 1;
        var i = 0;

        ConfigurationException Error(int at, string problem) => new(numberLines ? $"{source}:{at}: {problem}" : $"{source}: {problem}");

        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
            }

            if (c == '#' || (c == '/' && At(text, i, "//")))
            {
                var end = text.IndexOf('\n', i);
                end = end < 0 ? text.Length : end;
                output.Append(text, i, end - i);
                i = end;
                continue;
            }

            if (At(text, i, "\"\"\""))
            {
                var end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                if (end < 0)
                {
                    throw Error(line, "a \"\"\" string is never closed");
                }

                end += 3;
                while (end < text.Length && text[end] == '"')
                {
                    end++;
                }

                line += text.AsSpan(i, end - i).Count('\n');
                output.Append(text, i, end - i);
                i = end;
                continue;
            }

            if (c == '"')
            {
                var end = i + 1;
                while (end < text.Length && text[end] != '"' && text[end] != '\n')
                {
                    end += text[end] == '\\' ? 2 : 1;
                }

                if (end >= text.Length || text[end] != '"')
                {
                    throw Error(line, "a quoted string is not closed on its line");
                }

                output.Append(text, i, end + 1 - i);
                i = end + 1;
                continue;
            }

            if (At(text, i, "${"))
            {
                var end = text.IndexOf('}', i);
                var newline = text.IndexOf('\n', i);
                if (end < 0 || (newline >= 0 && newline < end))
                {
                    throw Error(line, "a ${ substitution is not closed on its line");
                }

                var optional = text[i + 2] == '?';
                var name = text[(i + (optional ? 3 : 2))..end].Trim();
                if (name.Length == 0)
                {
                    throw Error(line, "a substitution names nothing");
                }

                if (environment.TryGetValue(name, out var value))
                {
                    output.Append(Quote(value));
                }
                else if (optional)
                {
                    output.Append(Quote(Unset));
                }
                else
                {
                    requiredLines.TryAdd(name, line);
                    output.Append("${").Append(name).Append('}');
                }

                i = end + 1;
                continue;
            }

            switch (c)
            {
                case '{' or '[':
                    open.Push((c, line));
                    break;
                case '}' or ']':
                    var expected = c == '}' ? '{' : '[';
                    if (open.Count == 0)
                    {
                        throw Error(line, $"'{c}' closes nothing");
                    }

                    var (bracket, openedOn) = open.Pop();
                    if (bracket != expected)
                    {
                        throw Error(line, $"'{c}' closes the '{bracket}' of line {openedOn}");
                    }

                    break;
                case '=':
                    var next = i + 1;
                    while (next < text.Length && text[next] is ' ' or '\t')
                    {
                        next++;
                    }

                    if (next == text.Length || text[next] is '\n' or '\r' or '}' or ']' or ',' or '#' || At(text, next, "//"))
                    {
                        throw Error(line, "a key has no value after '='");
                    }

                    break;
            }

            output.Append(c);
            i++;
        }

        if (open.Count > 0)
        {
            var (bracket, openedOn) = open.Pop();
            throw Error(openedOn, $"the '{bracket}' opened here is never closed");
        }

        return (output.ToString(), requiredLines);
    }

    private static bool At(string text, int index, string token) => string.CompareOrdinal(text, index, token, 0, token.Length) == 0;

    /// <summary>Removes every field whose value is only unset optional substitutions; elsewhere (within a concatenation) they become empty.</summary>
    private static void RemoveUnsetFields(HoconValue value)
    {
        if (value.IsObject())
        {
            var fields = value.GetObject().Items;
            foreach (var (key, field) in fields.ToList())
            {
                if (IsOnlyUnset(field))
                {
                    fields.Remove(key);
                }
                else
                {
                    RemoveUnsetFields(field);
                }
            }

            return;
        }

        foreach (var element in value.Values)
        {
            switch (element)
            {
                case HoconLiteral literal when literal.Value == Unset:
                    literal.Value = string.Empty;
                    break;
                case HoconArray array:
                    array.RemoveAll(IsOnlyUnset);
                    array.ForEach(RemoveUnsetFields);
                    break;
            }
        }
    }

    private static bool IsOnlyUnset(HoconValue value) =>
        value.Values.Any(e => e is HoconLiteral { Value: Unset })
        && value.Values.All(e => e is HoconLiteral literal && (literal.Value == Unset || string.IsNullOrWhiteSpace(literal.Value)));

    /// <summary>Whether <paramref name="target"/> is found inside <paramref name="element"/>, following resolved substitutions.</summary>
    private static bool Reaches(object? element, HoconSubstitution target, HashSet<object> visited)
    {
        if (element is null || !visited.Add(element))
        {
            return false;
        }

        return element switch
        {
            HoconSubstitution substitution => ReferenceEquals(substitution, target) || Reaches(substitution.ResolvedValue, target, visited),
            HoconValue value => value.Values.Any(e => Reaches(e, target, visited)),
            HoconObject obj => obj.Items.Values.Any(v => Reaches(v, target, visited)),
            HoconArray array => array.Any(v => Reaches(v, target, visited)),
            _ => false,
        };
    }
}
