using System.Net;
using System.Runtime.Serialization;
using System.Text;
using ActorHttp.Actors;
using ActorHttp.Cluster;
using ActorHttp.Handlers.Auth;
using ActorHttp.Handlers.Demo.Carts;
using ActorHttp.Hosting;
using ActorHttp.Protocol;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using ActorHttp.Tests.Support;
using Akka.TestKit.Xunit2;

namespace ActorHttp.Tests.Cluster;

/// <summary>
/// The messages a sharded route sends between nodes go through our serializers (bound in
/// hocon/actorhttp.conf) and come back equal, the connection's reply address included as a remote
/// reference; malformed or unsendable ones fail with a SerializationException, never a misread.
/// </summary>
public sealed class HttpMessageSerializerTests : TestKit
{
    // The defaults' akka section (the bindings under test) on a remoting actor system, so actor
    // paths carry this node's address as they do between nodes.
    private static readonly Config RemoteSystem = ConfigurationFactory.ParseString("""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
        akka.loglevel = WARNING
        """).WithFallback(ServerConfiguration.Defaults);

    public HttpMessageSerializerTests()
        : base(RemoteSystem, "serializer-test")
    {
    }

    [Fact]
    public void A_sharded_request_round_trips_with_every_field_and_its_reply_address()
    {
        var connection = CreateTestProbe("connection");
        var request = TestRequests.Make("POST", "/carts/c-1") with
        {
            Target = "/carts/c-1?x=%20y",
            Query = "x=%20y",
            Version = ActorHttp.Protocol.HttpVersion.Http10,
            Headers = new HttpHeaders([("Host", "shop"), ("X-Dup", "1"), ("x-dup", "2"), ("Content-Type", "application/json")]),
            Body = Encoding.UTF8.GetBytes("{\"sku\":\"ä\"}\0\xff"),
            Trailers = new HttpHeaders([("Checksum", "abc")]),
            KeepAlive = false,
            RouteValues = new Dictionary<string, string> { ["id"] = "c-1", ["sku"] = "s/1" },
        };
        var original = new ShardedRequest("c-1", new HandleRequest(request, 42, connection.Ref, IPAddress.Parse("::ffff:10.0.0.7"), new Principal("ann", ["user", "admin"])));

        var serializer = Sys.Serialization.FindSerializerFor(original);
        var copy = (ShardedRequest)RoundTrip(serializer, original);

        Assert.IsType<HttpMessageSerializer>(serializer);
        Assert.Equal("c-1", copy.EntityId);
        var got = copy.Message;
        Assert.Equal(42, got.Sequence);
        Assert.Equal(original.Message.ClientAddress, got.ClientAddress);
        Assert.Equal("ann", got.User!.Name);
        Assert.Equal(["user", "admin"], got.User.Roles);
        Assert.Equal(request.Method, got.Request.Method);
        Assert.Equal(request.Target, got.Request.Target);
        Assert.Equal(request.Path, got.Request.Path);
        Assert.Equal(request.Query, got.Request.Query);
        Assert.Equal(ActorHttp.Protocol.HttpVersion.Http10, got.Request.Version);
        Assert.Equal(request.Headers.ToArray(), got.Request.Headers.ToArray());
        Assert.Equal(request.Body.ToArray(), got.Request.Body.ToArray());
        Assert.Equal(request.Trailers.ToArray(), got.Request.Trailers.ToArray());
        Assert.False(got.Request.KeepAlive);
        Assert.Equal(request.RouteValues.OrderBy(v => v.Key), got.Request.RouteValues.OrderBy(v => v.Key));

        // The reply address resolves to the same actor: an answer sent to it arrives.
        Assert.Equal(connection.Ref.Path, got.Connection.Path);
        got.Connection.Tell("answer");
        connection.ExpectMsg("answer");
    }

    [Fact]
    public void The_reply_address_carries_this_nodes_address_so_another_node_can_reach_it()
    {
        var connection = CreateTestProbe("connection");
        var bytes = Sys.Serialization.FindSerializerForType(typeof(ShardedRequest)).ToBinary(
            new ShardedRequest("e", new HandleRequest(TestRequests.Get("/e"), 1, connection.Ref)));

        var ownAddress = ((ExtendedActorSystem)Sys).Provider.DefaultAddress.ToString();
        var sentPath = Serialization.SerializedActorPath(connection.Ref);
        Assert.StartsWith("akka.tcp://serializer-test@127.0.0.1:", ownAddress);
        Assert.StartsWith(ownAddress + "/", sentPath);
        Assert.Contains(sentPath, Encoding.Latin1.GetString(bytes));
    }

    [Fact]
    public void A_response_round_trips_with_status_fields_body_and_close()
    {
        var original = new ResponseReady(7, (HttpResponse.Text(201, "created ✓") with { Close = true }).WithHeader("Location", "/carts/a/items/b"));

        var serializer = Sys.Serialization.FindSerializerFor(original);
        var copy = (ResponseReady)RoundTrip(serializer, original);

        Assert.IsType<HttpMessageSerializer>(serializer);
        Assert.Equal(7, copy.Sequence);
        Assert.Equal(201, copy.Response.StatusCode);
        Assert.Equal(original.Response.Headers, copy.Response.Headers);
        Assert.Equal(original.Response.Body.ToArray(), copy.Response.Body.ToArray());
        Assert.True(copy.Response.Close);
    }

    [Fact]
    public void A_streamed_response_is_refused_with_a_clear_message()
    {
        var serializer = Sys.Serialization.FindSerializerForType(typeof(ResponseReady));

        var error = Assert.Throws<SerializationException>(() => serializer.ToBinary(new ResponseReady(1, HttpResponse.Empty(200) with { Streamed = true })));

        Assert.Contains("streamed response", error.Message);
    }

    [Fact]
    public void Truncated_or_corrupt_bytes_fail_as_serialization_errors()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerForType(typeof(ShardedRequest));
        var good = serializer.ToBinary(new ShardedRequest("e", new HandleRequest(TestRequests.Get("/e"), 1, TestActor)));

        for (var cut = 0; cut < good.Length; cut++)
        {
            Assert.Throws<SerializationException>(() => serializer.FromBinary(good[..cut], "R"));
        }

        var laterFormat = (byte[])good.Clone();
        laterFormat[0] = 9;
        Assert.Contains("format version 9", Assert.Throws<SerializationException>(() => serializer.FromBinary(laterFormat, "R")).Message);
        Assert.Throws<SerializationException>(() => serializer.FromBinary([.. good, 0], "R"));
        Assert.Throws<SerializationException>(() => serializer.FromBinary(good, "Z"));
    }

    [Fact]
    public void A_requests_id_and_trace_travel_with_it_so_the_entity_logs_with_them()
    {
        var trace = new System.Diagnostics.ActivityContext(System.Diagnostics.ActivityTraceId.CreateRandom(), System.Diagnostics.ActivitySpanId.CreateRandom(), System.Diagnostics.ActivityTraceFlags.Recorded, "vendor=a", isRemote: false);
        var serializer = Sys.Serialization.FindSerializerForType(typeof(ShardedRequest));
        var traced = new ShardedRequest("e", new HandleRequest(TestRequests.Get("/e"), 1, TestActor, Telemetry: new RequestTelemetry("req-7", trace)));
        var idOnly = new ShardedRequest("e", new HandleRequest(TestRequests.Get("/e"), 2, TestActor, Telemetry: new RequestTelemetry("req-8", default)));
        var traceOnly = new ShardedRequest("e", new HandleRequest(TestRequests.Get("/e"), 3, TestActor, Telemetry: new RequestTelemetry(null, trace)));

        var tracedCopy = ((ShardedRequest)RoundTrip(serializer, traced)).Message.Telemetry!;
        var idOnlyCopy = ((ShardedRequest)RoundTrip(serializer, idOnly)).Message.Telemetry!;
        var traceOnlyCopy = ((ShardedRequest)RoundTrip(serializer, traceOnly)).Message.Telemetry!;
        var noneCopy = ((ShardedRequest)RoundTrip(serializer, new ShardedRequest("e", new HandleRequest(TestRequests.Get("/e"), 4, TestActor)))).Message.Telemetry;

        Assert.Equal("req-7", tracedCopy.RequestId);
        Assert.Equal(trace.TraceId, tracedCopy.Trace.TraceId);
        Assert.Equal(trace.SpanId, tracedCopy.Trace.SpanId);
        Assert.Equal(trace.TraceFlags, tracedCopy.Trace.TraceFlags);
        Assert.Equal("vendor=a", tracedCopy.Trace.TraceState);
        Assert.Equal("req-8", idOnlyCopy.RequestId);
        Assert.Equal(default, idOnlyCopy.Trace);
        Assert.Null(traceOnlyCopy.RequestId);
        Assert.Equal(trace.TraceId, traceOnlyCopy.Trace.TraceId);
        Assert.Null(noneCopy);
    }

    [Fact]
    public void A_request_of_the_format_before_telemetry_is_still_read()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerForType(typeof(ShardedRequest));
        var current = serializer.ToBinary(new ShardedRequest("e", new HandleRequest(TestRequests.Get("/old"), 5, TestActor)));

        // Version 1 is version 2 without the telemetry's presence flag at the end.
        byte[] firstFormat = [1, .. current[1..^1]];
        var read = (ShardedRequest)serializer.FromBinary(firstFormat, "R");

        Assert.Equal(0, current[^1]);
        Assert.Equal("/old", read.Message.Request.Path);
        Assert.Equal(5, read.Message.Sequence);
        Assert.Null(read.Message.Telemetry);
    }

    [Fact]
    public void Cart_events_and_snapshots_round_trip_as_json_under_their_own_serializer()
    {
        object[] persisted = [new ItemAdded("apple", 3), new ItemRemoved("pear"), new CartSnapshot([new CartLine("a", 1), new CartLine("b", 2)])];

        foreach (var value in persisted)
        {
            var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(value);
            var bytes = serializer.ToBinary(value);
            var copy = serializer.FromBinary(bytes, serializer.Manifest(value));

            Assert.IsType<CartEventSerializer>(serializer);
            Assert.StartsWith("{", Encoding.UTF8.GetString(bytes));
            Assert.Equal(value is CartSnapshot snapshot ? snapshot.Items : value, copy is CartSnapshot copied ? copied.Items : copy);
        }
    }

    private static object RoundTrip(Serializer serializer, object message)
    {
        var manifest = serializer is SerializerWithStringManifest withManifest ? withManifest.Manifest(message) : null;
        var bytes = serializer.ToBinary(message);
        return serializer is SerializerWithStringManifest reader ? reader.FromBinary(bytes, manifest!) : serializer.FromBinary(bytes, message.GetType());
    }
}
