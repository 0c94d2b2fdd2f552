using ActorHttp.Study;

namespace ActorHttp.Study.Tests;

public class SetupTests
{
    private static string Repository()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "ActorHttp.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("the repository root was not found");
    }

    [Fact]
    public void Selections_keep_the_studys_order_and_name_unknown_names()
    {
        var arguments = StudyArguments.Parse(["--quick", "--models", "nginx,actors", "--scenarios", "counter,plaintext", "--out", "/tmp/x", "--repo", "/repo"]);

        Assert.Equal(["actors", "nginx"], arguments.Servers.Select(s => s.Name));
        Assert.Equal([Scenario.Plaintext, Scenario.Counter], arguments.Scenarios);
        Assert.Equal("quick", arguments.Options.Mode);
        Assert.Null(arguments.Document);
        var error = Assert.Throws<ArgumentException>(() => StudyArguments.Parse(["--models", "apache"]));
        Assert.Contains("apache", error.Message);
        Assert.Throws<ArgumentException>(() => StudyArguments.Parse(["--fast"]));
    }

    [Fact]
    public void Rounds_and_fresh_servers_can_be_asked_of_a_quick_run()
    {
        var arguments = StudyArguments.Parse(["--quick", "--rounds", "2", "--fresh"]);

        Assert.Equal(2, arguments.Options.Rounds);
        Assert.True(arguments.Options.FreshServers);
        Assert.Equal("quick", arguments.Options.Mode);
        Assert.Throws<ArgumentException>(() => StudyArguments.Parse(["--rounds", "0"]));
    }

    [Fact]
    public void A_full_run_into_the_default_folder_rewrites_the_document_in_docs()
    {
        var arguments = StudyArguments.Parse(["--repo", "/repo"]);

        Assert.Equal("/repo/study/results", arguments.Out);
        Assert.Equal("/repo/docs/concurrency-study.md", arguments.Document);
        Assert.Equal(StudyServer.Names, arguments.Servers.Select(s => s.Name));
        Assert.Equal(Scenario.All, arguments.Scenarios);
    }

    [Theory]
    [InlineData("nginx", Scenario.Plaintext, null)]
    [InlineData("nginx", Scenario.SlowReader, null)]
    [InlineData("nginx", Scenario.Counter, "nginx has no handler for /counter")]
    [InlineData("nginx", Scenario.Overload, "nginx has no handler for /cpu")]
    [InlineData("kestrel", Scenario.Blocking, null)]
    [InlineData("eventloop", Scenario.Hang, null)]
    public void Servers_take_part_where_they_serve_the_route(string server, string scenario, string? why)
    {
        Assert.Equal(why, StudyServer.All.Single(s => s.Name == server).WhyNot(scenario, StudyOptions.Full));
    }

    [Fact]
    public void Models_run_ActorHttp_with_the_study_configuration_and_actors_without_the_model_switch()
    {
        var paths = new ActorHttp.Bench.BenchPaths("/repo", "/work");

        var (_, threads) = StudyServer.All.Single(s => s.Name == "threads").Peer.Command(paths, 18181);
        var (_, actors) = StudyServer.All.Single(s => s.Name == "actors").Peer.Command(paths, 18180);

        Assert.Equal(["--model", "threads"], threads[^2..]);
        Assert.Contains("/repo/study/actorhttp-study.conf", threads);
        Assert.DoesNotContain("--model", actors);
        Assert.Equal("127.0.0.1", actors[Array.IndexOf(actors, "--host") + 1]);
    }

    [Fact]
    public void Every_fault_has_its_load_and_the_mixes_are_a_tenth_fault()
    {
        var crash = FaultLoad.For(Scenario.Crash, StudyOptions.Full)!;
        var cpu = FaultLoad.For(Scenario.Cpu, StudyOptions.Full)!;

        Assert.Equal(1, crash.Mix.Count(p => p == "/crash"));
        Assert.Equal(9, crash.Mix.Count(p => p == "/crash?fail=0"));
        Assert.DoesNotContain("/crash", crash.BaselineMix!);
        Assert.Equal(0.1, cpu.Mix.Count(p => p.StartsWith("/cpu?us=5000", StringComparison.Ordinal)) / (double)cpu.Mix.Count);
        Assert.Null(FaultLoad.For(Scenario.Hang, StudyOptions.Full)!.BaselineMix);
        Assert.Null(FaultLoad.For(Scenario.Slowloris, StudyOptions.Full));
    }

    [Theory]
    [InlineData(Scenario.Slowloris, "-H", "/hello")]
    [InlineData(Scenario.SlowBody, "-B", "/echo")]
    [InlineData(Scenario.SlowReader, "-X", "/bench/1m.bin")]
    public void Each_slow_client_attack_is_one_slowhttptest_mode(string scenario, string mode, string path)
    {
        var arguments = SlowHttpTest.Arguments(scenario, 18190, 1000, 20);

        Assert.Equal(mode, arguments[0]);
        Assert.Equal("1000", arguments[arguments.ToList().IndexOf("-c") + 1]);
        Assert.Equal($"http://127.0.0.1:18190{path}", arguments[^1]);
    }

    [Fact]
    public void Context_switches_are_read_from_a_threads_status()
    {
        const string status = "Name:\tdotnet\nThreads:\t1\nvoluntary_ctxt_switches:\t150\nnonvoluntary_ctxt_switches:\t7\n";

        Assert.Equal(157, ProcStats.ContextSwitches(status));
        Assert.Equal(0, ProcStats.ContextSwitches(""));
    }

    [Fact]
    public void The_knobs_hold_every_effective_ActorHttp_setting_under_the_study_configuration()
    {
        var settings = Knobs.ActorHttpSettings(Path.Combine(Repository(), "study/actorhttp-study.conf"));

        Assert.Equal("20000", settings["actorhttp.server.max-connections"]);
        Assert.Equal("off", settings["actorhttp.server.access-log"]);
        Assert.True(settings.ContainsKey("actorhttp.server.request-header-timeout"));
        Assert.True(settings.Count > 40);
    }

    [Fact]
    public void Quick_mode_is_smaller_in_every_dimension_than_full()
    {
        var quick = StudyOptions.Quick;
        var full = StudyOptions.Full;

        Assert.True(quick.Rounds < full.Rounds);
        Assert.True(quick.DurationSeconds < full.DurationSeconds);
        Assert.True(quick.FaultWindow < full.FaultWindow);
        Assert.True(quick.AttackSockets < full.AttackSockets);
        Assert.True(quick.IdleCounts.Max() < full.IdleCounts.Max());
        Assert.Equal([1_000, 10_000], full.IdleCounts);
        Assert.Equal(1_000, full.AttackSockets);
    }
}
