using System.Diagnostics;

namespace ActorHttp.Bench.Tests;

public sealed class ServerProcessTests
{
    [Fact]
    public async Task A_server_still_starting_when_the_run_is_cancelled_is_stopped()
    {
        var work = Directory.CreateTempSubdirectory("serverprocess-test-").FullName;
        try
        {
            var pidFile = Path.Combine(work, "pid");
            using var cancellation = new CancellationTokenSource();
            // A server that never answers: nothing listens on port 1, so the bench keeps probing it
            // until the cancellation. It writes its process id (the same as the process the bench
            // started: the shell execs it) so the test can check on it afterwards.
            var starting = ServerProcess.StartAsync(
                "dummy",
                "/bin/sh",
                ["-c", $"echo $$ > '{pidFile}'; exec sleep 600"],
                port: 1,
                Path.Combine(work, "output.log"),
                cancellation.Token);
            var pid = await WaitForPidAsync(pidFile);
            Assert.True(IsRunning(pid));

            cancellation.Cancel();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => starting);
            Assert.False(IsRunning(pid));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<int> WaitForPidAsync(string pidFile)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
            {
                return pid;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("the dummy server never wrote its process id");
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
