using ActorHttp.Hosting;

namespace ActorHttp.Tests.Hosting;

public sealed class CommandLineTests
{
    [Fact]
    public void No_arguments_leave_everything_to_the_configuration()
    {
        var parsed = CommandLine.Parse([]);

        Assert.Equal((null, null, null, true, false), (parsed.Host, parsed.Port, parsed.Root, parsed.Demo, parsed.ShowHelp));
        Assert.Empty(parsed.ConfigFiles);
    }

    [Fact]
    public void Every_option_is_read()
    {
        var root = Directory.CreateTempSubdirectory("actorhttp-root-");
        try
        {
            var parsed = CommandLine.Parse(["--host", "127.0.0.1", "--port", "9090", "--config", "server.conf", "--root", root.FullName]);

            Assert.Equal(("127.0.0.1", 9090, root.FullName, true), (parsed.Host, parsed.Port, parsed.Root, parsed.Demo));
            Assert.Equal(["server.conf"], parsed.ConfigFiles);
        }
        finally
        {
            root.Delete();
        }
    }

    [Theory]
    [InlineData("actors")]
    [InlineData("threads")]
    [InlineData("pool")]
    [InlineData("eventloop")]
    [InlineData("Tasks")]
    public void Model_is_read_as_given(string model)
    {
        var parsed = CommandLine.Parse(["--model", model]);

        Assert.Equal(model, parsed.Model);
        Assert.Null(CommandLine.Parse([]).Model);
    }

    [Fact]
    public void Model_that_names_none_is_refused_with_the_ones_there_are()
    {
        var error = Assert.Throws<ArgumentException>(() => CommandLine.Parse(["--model", "green-threads"]));

        Assert.Equal("--model must be actors, threads, pool, eventloop or tasks, not \"green-threads\".", error.Message);
        Assert.Contains("--model MODEL", CommandLine.Usage);
    }

    [Fact]
    public void Equals_form_is_accepted()
    {
        var parsed = CommandLine.Parse(["--port=0", "--host=::1"]);

        Assert.Equal(0, parsed.Port);
        Assert.Equal("::1", parsed.Host);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void Help_wins_over_everything_else(string flag)
    {
        // Even next to an option that would be refused: asking for help must never fail.
        var parsed = CommandLine.Parse(["--port", "nope", flag]);

        Assert.True(parsed.ShowHelp);
        Assert.Contains("--config FILE", CommandLine.Usage);
    }

    [Fact]
    public void Unknown_option_is_refused_with_its_name_and_the_usage()
    {
        var error = Assert.Throws<ArgumentException>(() => CommandLine.Parse(["--verbose", "yes"]));

        Assert.Contains("Unknown option --verbose", error.Message);
        Assert.Contains("Usage:", error.Message);
    }

    [Theory]
    [InlineData("eighty")]
    [InlineData("-1")]
    [InlineData("70000")]
    [InlineData("80.5")]
    [InlineData(" 80")]
    public void Port_that_is_not_a_number_from_0_to_65535_is_refused(string port)
    {
        var error = Assert.Throws<ArgumentException>(() => CommandLine.Parse(["--port", port]));

        Assert.Contains("--port must be a number from 0 to 65535", error.Message);
        Assert.Contains($"\"{port}\"", error.Message);
    }

    [Fact]
    public void Root_that_does_not_exist_is_refused()
    {
        var missing = Path.Combine(Path.GetTempPath(), "actorhttp-no-such-folder-" + Guid.NewGuid().ToString("N"));

        var error = Assert.Throws<ArgumentException>(() => CommandLine.Parse(["--root", missing]));

        Assert.Contains("no such folder", error.Message);
        Assert.Contains(missing, error.Message);
    }

    [Theory]
    [InlineData("--verbose")]
    [InlineData("--port", "80", "--verbose")]
    public void Unknown_option_without_a_value_is_refused_too(params string[] args)
    {
        var error = Assert.Throws<ArgumentException>(() => CommandLine.Parse(args));

        Assert.Contains("Unknown option --verbose", error.Message);
    }

    [Theory]
    [InlineData("--port")]
    [InlineData("--host", "127.0.0.1", "--config")]
    public void Option_missing_its_value_is_refused_rather_than_ignored(params string[] args)
    {
        var error = Assert.Throws<ArgumentException>(() => CommandLine.Parse(args));

        Assert.Contains($"{args[^1]} needs a value", error.Message);
    }

    [Theory]
    [InlineData("8080")]
    [InlineData("-p", "8080")]
    [InlineData("/port", "8080")]
    public void Stray_argument_is_refused(params string[] args)
    {
        var error = Assert.Throws<ArgumentException>(() => CommandLine.Parse(args));

        Assert.Contains($"Unexpected argument \"{args[0]}\"", error.Message);
    }

    [Fact]
    public void Config_may_be_given_several_times_and_keeps_its_order()
    {
        var parsed = CommandLine.Parse(["--config", "base.conf", "--port", "0", "--config=site.conf", "--config", "local.conf"]);

        Assert.Equal(["base.conf", "site.conf", "local.conf"], parsed.ConfigFiles);
    }

    [Fact]
    public void No_demo_turns_the_demo_off_and_takes_no_value()
    {
        Assert.False(CommandLine.Parse(["--no-demo", "--port", "0"]).Demo);
        Assert.Equal(0, CommandLine.Parse(["--no-demo", "--port", "0"]).Port);

        var error = Assert.Throws<ArgumentException>(() => CommandLine.Parse(["--no-demo=yes"]));
        Assert.Contains("--no-demo takes no value", error.Message);
    }

    [Fact]
    public void Root_with_no_demo_is_taken_together()
    {
        var root = Directory.CreateTempSubdirectory("actorhttp-root-");
        try
        {
            var line = CommandLine.Parse(["--no-demo", "--root", root.FullName]);

            Assert.False(line.Demo);
            Assert.Equal(root.FullName, line.Root);
        }
        finally
        {
            root.Delete();
        }
    }
}
