using ActorHttp.Bench;

namespace ActorHttp.Bench.Tests;

public sealed class WorkloadTests
{
    [Fact]
    public void No_names_means_every_workload()
    {
        Assert.Same(Workload.All, Workload.Named(null));
    }

    [Fact]
    public void Named_workloads_keep_the_report_order_whatever_order_they_are_given_in()
    {
        var named = Workload.Named("json, plaintext");

        Assert.Equal(["plaintext", "json"], named.Select(w => w.Name));
    }

    [Fact]
    public void An_unknown_name_is_refused_with_the_names_there_are()
    {
        var error = Assert.Throws<ArgumentException>(() => Workload.Named("plaintext,jsn"));

        Assert.Contains("\"jsn\"", error.Message);
        Assert.Contains("plaintext pipelined x16", error.Message);
    }
}
