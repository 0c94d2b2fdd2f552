using ActorHttp.Fuzz;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Protocol;

/// <summary>
/// Replays, with the fuzzer's own invariant checks, every input afl-fuzz ever flagged (fuzz/findings,
/// kept once fixed so the bug stays fixed), the seeds it starts from (fuzz/seeds) and the shared
/// conformance cases: what fuzz/run found in a short session is checked by every <c>dotnet test</c>.
/// </summary>
public sealed class FuzzReplayTests
{
    public static TheoryData<string> FuzzInputs()
    {
        var inputs = new TheoryData<string>();
        foreach (var folder in new[] { "fuzz/findings", "fuzz/seeds" })
        {
            var directory = Path.Combine(SharedData.RepositoryRoot, folder);
            if (!Directory.Exists(directory))
            {
                continue;
            }

            foreach (var file in Directory.GetFiles(directory).Order(StringComparer.Ordinal))
            {
                inputs.Add($"{folder}/{Path.GetFileName(file)}");
            }
        }

        return inputs;
    }

    [Theory]
    [MemberData(nameof(FuzzInputs))]
    public void A_fuzz_input_keeps_every_parser_invariant(string file) =>
        ParserInvariants.Check(File.ReadAllBytes(Path.Combine(SharedData.RepositoryRoot, file)));

    [Theory]
    [MemberData(nameof(SharedData.ConformanceCaseIds), MemberType = typeof(SharedData))]
    public void A_conformance_case_keeps_every_parser_invariant(string id) =>
        ParserInvariants.Check(SharedData.ConformanceCaseById(id).Raw);
}
