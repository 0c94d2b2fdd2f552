using System.Text;
using System.Text.Json;
using ActorHttp.Fuzz;
using SharpFuzz;

if (args is ["seed-corpus", var casesFile, var corpusDirectory])
{
    WriteSeedCorpus(casesFile, corpusDirectory);
    return 0;
}

if (args.Length != 0)
{
    Console.Error.WriteLine("usage: ActorHttp.Fuzz                                    (under afl-fuzz, or one input on standard input)");
    Console.Error.WriteLine("       ActorHttp.Fuzz seed-corpus <requests.jsonl> <dir>  (one file per conformance case)");
    return 2;
}

// Under afl-fuzz this is SharpFuzz's fork server, running input after input in this one process (the
// parser keeps no state between connections); run alone it checks standard input once, which is how a
// finding is reproduced by hand.
Fuzzer.Run(input =>
{
    using var bytes = new MemoryStream();
    input.CopyTo(bytes);
    ParserInvariants.Check(bytes.GetBuffer().AsSpan(0, (int)bytes.Length));
});
return 0;

// The shared conformance cases hold a request's bytes as latin-1 text ("raw") or base64 ("raw_b64").
static void WriteSeedCorpus(string casesFile, string corpusDirectory)
{
    Directory.CreateDirectory(corpusDirectory);
    foreach (var line in File.ReadLines(casesFile).Where(l => !string.IsNullOrWhiteSpace(l)))
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var raw = root.TryGetProperty("raw", out var text)
            ? Encoding.Latin1.GetBytes(text.GetString()!)
            : Convert.FromBase64String(root.GetProperty("raw_b64").GetString()!);
        File.WriteAllBytes(Path.Combine(corpusDirectory, "conformance-" + root.GetProperty("id").GetString()), raw);
    }
}
