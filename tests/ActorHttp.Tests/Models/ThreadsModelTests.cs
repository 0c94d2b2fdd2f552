namespace ActorHttp.Tests.Models;

/// <summary>The <c>threads</c> model: a thread per connection, blocking; handlers run on it.</summary>
public sealed class ThreadsModelTests(ThreadsModelFixture fixture) : BlockingModelTests<ThreadsModelFixture>(fixture)
{
}
