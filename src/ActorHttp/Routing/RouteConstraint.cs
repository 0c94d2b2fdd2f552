using System.Globalization;
using System.Text.RegularExpressions;

namespace ActorHttp.Routing;

/// <summary>
/// A rule a route parameter's value must meet for the template to match, written inline as in
/// ASP.NET Core: <c>{id:int}</c>, <c>{name:alpha:maxlength(20)}</c>, <c>{slug:regex(^[a-z0-9-]+$)}</c>.
/// A value that fails it makes the template not match at all, so the path is answered as if the
/// route did not exist (404, and it does not count towards a 405). Parsed once, with the template.
/// </summary>
/// <remarks>
/// Known constraints: <c>int</c>, <c>long</c>, <c>bool</c>, <c>guid</c>, <c>alpha</c> (ASCII letters),
/// <c>min(n)</c>, <c>max(n)</c>, <c>range(a,b)</c> (on whole numbers), <c>minlength(n)</c>,
/// <c>maxlength(n)</c>, <c>length(n)</c>, <c>length(a,b)</c> and <c>regex(pattern)</c>. Numbers are
/// read with the invariant culture. A regex must match the whole value (it is anchored for you; an
/// own <c>^…$</c> is harmless), case-sensitively like the rest of the template.
/// </remarks>
public sealed class RouteConstraint
{
    /// <summary>
    /// The longest one regex constraint may take on one value. Patterns run on .NET's linear-time
    /// engine (<see cref="RegexOptions.NonBacktracking"/>) when they can, which cannot blow up; only a
    /// pattern needing backtracking (back-references, look-arounds) relies on this bound. A value
    /// whose match times out fails the constraint.
    /// </summary>
    public static readonly TimeSpan RegexMatchTimeout = TimeSpan.FromMilliseconds(100);

    private delegate bool Check(ReadOnlySpan<char> value);

    private readonly Check _check;

    private RouteConstraint(string text, Check check)
    {
        Text = text;
        _check = check;
    }

    /// <summary>The constraint as written in the template, such as <c>range(1,10)</c>.</summary>
    public string Text { get; }

    public bool Accepts(ReadOnlySpan<char> value) => _check(value);

    public override string ToString() => Text;

    /// <summary>Parses one constraint (the text between two <c>:</c> of a parameter).</summary>
    /// <exception cref="FormatException">Unknown constraint, wrong arguments or an invalid pattern; the message says which.</exception>
    internal static RouteConstraint Parse(string text)
    {
        var open = text.IndexOf('(');
        var name = open < 0 ? text : text[..open];
        string? argument = null;
        if (open >= 0)
        {
            if (!text.EndsWith(')'))
            {
                throw new FormatException($"constraint '{text}' has no closing ')'");
            }

            argument = text[(open + 1)..^1];
        }

        return name switch
        {
            "int" => Plain(text, argument, static v => int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)),
            "long" => Plain(text, argument, static v => long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)),
            "bool" => Plain(text, argument, static v => bool.TryParse(v, out _)),
            "guid" => Plain(text, argument, static v => Guid.TryParse(v, out _)),
            "alpha" => Plain(text, argument, static v => !v.IsEmpty && !v.ContainsAnyExcept(AsciiLetters)),
            "min" => WithNumbers(text, argument, 1, 1, static (v, n) => TryWhole(v, out var x) && x >= n[0]),
            "max" => WithNumbers(text, argument, 1, 1, static (v, n) => TryWhole(v, out var x) && x <= n[0]),
            "range" => WithNumbers(text, argument, 2, 2, static (v, n) => TryWhole(v, out var x) && x >= n[0] && x <= n[1]),
            "minlength" => WithNumbers(text, argument, 1, 1, static (v, n) => v.Length >= n[0]),
            "maxlength" => WithNumbers(text, argument, 1, 1, static (v, n) => v.Length <= n[0]),
            "length" => WithNumbers(text, argument, 1, 2, static (v, n) => n.Length == 1 ? v.Length == n[0] : v.Length >= n[0] && v.Length <= n[1]),
            "regex" => Pattern(text, argument),
            _ => throw new FormatException(
                $"unknown constraint '{name}' (known: int, long, bool, guid, alpha, min, max, range, minlength, maxlength, length, regex)"),
        };
    }

    private static readonly System.Buffers.SearchValues<char> AsciiLetters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private static bool TryWhole(ReadOnlySpan<char> value, out long number) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number);

    private static RouteConstraint Plain(string text, string? argument, Check check) =>
        argument is null ? new RouteConstraint(text, check) : throw new FormatException($"constraint '{text}' takes no argument");

    private static RouteConstraint WithNumbers(string text, string? argument, int least, int most, Func<ReadOnlySpan<char>, long[], bool> check)
    {
        var parts = (argument ?? string.Empty).Split(',', StringSplitOptions.TrimEntries);
        if (argument is null || parts.Length < least || parts.Length > most)
        {
            throw new FormatException($"constraint '{text}' needs {(least == most ? least.ToString(CultureInfo.InvariantCulture) : $"{least} or {most}")} whole-number argument(s), such as '{text.Split('(')[0]}({string.Join(',', Enumerable.Range(1, least))})'");
        }

        var numbers = new long[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out numbers[i]))
            {
                throw new FormatException($"constraint '{text}' has '{parts[i]}', which is not a whole number");
            }
        }

        if (numbers.Length == 2 && numbers[0] > numbers[1])
        {
            throw new FormatException($"constraint '{text}' has its bounds the wrong way round");
        }

        return new RouteConstraint(text, value => check(value, numbers));
    }

    private static RouteConstraint Pattern(string text, string? pattern)
    {
        if (string.IsNullOrEmpty(pattern))
        {
            throw new FormatException($"constraint '{text}' needs a pattern, such as 'regex(^[a-z0-9-]+$)'");
        }

        // Anchored so that the whole value must match, as a reader of the template expects.
        var anchored = $@"\A(?:{pattern})\z";
        Regex regex;
        try
        {
            try
            {
                regex = new Regex(anchored, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, RegexMatchTimeout);
            }
            catch (NotSupportedException)
            {
                // Back-references and look-arounds need the backtracking engine; the timeout bounds it.
                regex = new Regex(anchored, RegexOptions.CultureInvariant, RegexMatchTimeout);
            }
        }
        catch (ArgumentException error)
        {
            throw new FormatException($"constraint '{text}' is not a valid regular expression: {error.Message}", error);
        }

        return new RouteConstraint(text, value =>
        {
            try
            {
                return regex.IsMatch(value);
            }
            catch (RegexMatchTimeoutException)
            {
                return false;
            }
        });
    }
}
