using System.Text.RegularExpressions;
using Xunit;

/// <summary>
/// The README's C# is the samples' C#: every <c>```csharp</c> block of README.md must appear, line for
/// line (indentation aside), in a .cs file under samples/, which CI compiles. A snippet edited in one
/// place only fails here.
/// </summary>
public sealed partial class ReadmeSnippetTests
{
    private static readonly string RepositoryRoot = FindRepositoryRoot();

    public static IEnumerable<object[]> Snippets() =>
        CSharpBlock().Matches(File.ReadAllText(Path.Combine(RepositoryRoot, "README.md")))
            .Select((match, index) => new object[] { index + 1, FirstLine(match.Groups[1].Value) });

    [Theory]
    [MemberData(nameof(Snippets))]
    public void The_snippet_is_compiled_in_the_samples(int number, string firstLine)
    {
        var snippet = Lines(CSharpBlock().Matches(File.ReadAllText(Path.Combine(RepositoryRoot, "README.md")))[number - 1].Groups[1].Value);
        var sampleFiles = Directory.EnumerateFiles(Path.Combine(RepositoryRoot, "samples"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));

        Assert.True(
            sampleFiles.Any(path => ContainsRun(Lines(File.ReadAllText(path)), snippet)),
            $"README snippet {number} (\"{firstLine}\") is not in any .cs file under samples/: copy it there, exactly, so that it is compiled");
    }

    [Fact]
    public void The_readme_has_snippets_to_check()
    {
        Assert.True(Snippets().Count() >= 5);
    }

    private static string FirstLine(string block) => block.Split('\n')[0].Trim();

    private static string[] Lines(string text) => text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n').Select(line => line.Trim()).ToArray();

    private static bool ContainsRun(string[] file, string[] run)
    {
        for (var start = 0; start + run.Length <= file.Length; start++)
        {
            if (file.AsSpan(start, run.Length).SequenceEqual(run))
            {
                return true;
            }
        }

        return false;
    }

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

    [GeneratedRegex(@"^```csharp\n(.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex CSharpBlock();
}
