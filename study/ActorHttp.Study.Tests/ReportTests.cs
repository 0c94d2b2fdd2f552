using ActorHttp.Study;

namespace ActorHttp.Study.Tests;

public class ReportTests
{
    [Fact]
    public void Every_row_is_in_the_markdown_with_its_ratio_to_actors()
    {
        var md = StudyReport.ToMarkdown(Samples.Results());

        Assert.Contains("## plaintext", md);
        Assert.Contains("| threads |  | 30,000 | 0.75 | 1.00 | 4.00 | 2.00 |", md);
        Assert.Contains("| nginx |  | skipped: nginx has no handler for /counter |", md);
        Assert.Contains("**Quick mode**", md);
    }

    [Fact]
    public void The_faults_table_shows_what_the_fault_kept_of_the_baseline()
    {
        var md = StudyReport.ToMarkdown(Samples.Results());

        Assert.Contains("| cpu | eventloop | 20,000 | 2,000 | 0.10 | 3.00 | 300.00 | 95% |", md);
    }

    [Fact]
    public void Every_knob_is_listed()
    {
        var md = StudyReport.ToMarkdown(Samples.Results());

        Assert.Contains("| `actorhttp.models.pool.threads` | 200 |", md);
    }

    [Theory]
    [InlineData("actors", StudyDocument.Harm.Unharmed)]
    [InlineData("eventloop", StudyDocument.Harm.Hurt)]
    [InlineData("threads", StudyDocument.Harm.Unmeasured)]
    public void A_fault_is_judged_from_what_its_normal_clients_kept(string server, StudyDocument.Harm expected)
    {
        Assert.Equal(expected, StudyDocument.Judge(Samples.Results(), server, Scenario.Cpu));
    }

    [Fact]
    public void A_p99_that_tripled_past_10_ms_is_a_slowdown_even_at_full_rate()
    {
        var results = Samples.Results() with
        {
            Rows = [Samples.Row("tasks", Scenario.Blocking, "baseline", 100, 4), Samples.Row("tasks", Scenario.Blocking, "fault", 100, 13)],
        };

        Assert.Equal(StudyDocument.Harm.Slowed, StudyDocument.Judge(results, "tasks", Scenario.Blocking));
    }

    [Fact]
    public void The_document_is_written_from_the_figures_alone()
    {
        var document = StudyDocument.Write(Samples.Results(), "../study/results", [StudyCharts.Connections]);

        Assert.Contains("**These figures come from a quick run**", document);
        Assert.Contains("![Requests/s against concurrent connections](../study/results/connections.png)", document);
        Assert.Contains("### eventloop", document);
        Assert.Contains("- cpu: hurt: normal clients 20,000 → 2,000 requests/s, p99 3 → 300 ms, 95% succeeded.", document);
        Assert.Contains("- counter: 100 answered, 100 counted: exact.", document);
        // Flash: the spread of plaintext over the models, from the rows.
        Assert.Contains("a spread of 1.67×", document);
        // threads from 256 to 4,096 connections.
        Assert.Contains("threads (MT) went from 28,000 requests/s at 256 connections to 10,000 at 4096 (0.36 of it)", document);
    }

    [Fact]
    public void Charts_are_drawn_from_the_results()
    {
        var folder = Directory.CreateTempSubdirectory("study-charts-").FullName;
        try
        {
            var written = StudyCharts.SaveAll(Samples.Results(), folder);

            Assert.Equal([StudyCharts.Connections, StudyCharts.FaultsP99, StudyCharts.IdleMemory, StudyCharts.OpenLoopLatency], written);
            Assert.All(written, name => Assert.True(new FileInfo(Path.Combine(folder, name)).Length > 1000));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Percentiles_are_placed_by_their_nines()
    {
        Assert.Equal(1, StudyCharts.Nines(90), 6);
        Assert.Equal(3, StudyCharts.Nines(99.9), 6);
    }
}
