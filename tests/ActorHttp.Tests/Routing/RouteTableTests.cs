using ActorHttp.Routing;
using Xunit;

namespace ActorHttp.Tests.Routing;

public class RouteTableTests
{
    private static RouteTable<string> Table(params (string[]? Methods, string Template, string Target)[] routes) =>
        new(routes.Select(r => new RouteDefinition<string>(r.Methods, r.Template, r.Target)));

    private static readonly string[] _get = ["GET"];
    private static readonly string[] _post = ["POST"];

    [Fact]
    public void Finds_the_route_and_binds_its_values()
    {
        var table = Table((_get, "/users/{id}", "user"));

        var match = table.Match("GET", "/users/42");

        Assert.Equal(RouteMatchKind.Found, match.Kind);
        Assert.Equal("user", match.Target);
        Assert.Equal("42", match.Values["id"]);
        Assert.Empty(match.AllowedMethods);
    }

    [Fact]
    public void Routes_without_parameters_share_one_empty_values_instance()
    {
        var table = Table((_get, "/a", "a"), (_get, "/b", "b"));

        var a = table.Match("GET", "/a");
        var b = table.Match("GET", "/b");

        Assert.Empty(a.Values);
        Assert.Same(a.Values, b.Values);
    }

    [Theory]
    [InlineData("/users/new", "literal")]
    [InlineData("/users/7", "param")]
    [InlineData("/users/7/avatar", "catch-all")]
    [InlineData("/users", "catch-all")]
    public void The_most_specific_template_wins_whatever_the_registration_order(string path, string expected)
    {
        var table = Table(
            (_get, "/users/{*rest}", "catch-all"),
            (_get, "/users/{id}", "param"),
            (_get, "/users/new", "literal"));

        Assert.Equal(expected, table.Match("GET", path).Target);
    }

    [Fact]
    public void Specificity_is_decided_at_the_first_differing_segment()
    {
        var table = Table((_get, "/{a}/b/c", "param-first"), (_get, "/a/{b}/{c}", "literal-first"));

        Assert.Equal("literal-first", table.Match("GET", "/a/b/c").Target);
    }

    [Fact]
    public void Equally_specific_templates_go_to_the_first_registered()
    {
        var table = Table((_get, "/items/{id}", "first"), (_get, "/items/{name}", "second"));

        var match = table.Match("GET", "/items/x");

        Assert.Equal("first", match.Target);
        Assert.Equal("x", match.Values["id"]);
    }

    [Fact]
    public void A_more_specific_route_for_another_method_does_not_hide_one_that_serves_the_method()
    {
        var table = Table((_post, "/users/new", "create"), (_get, "/users/{id}", "read"));

        Assert.Equal("read", table.Match("GET", "/users/new").Target);
        Assert.Equal("create", table.Match("POST", "/users/new").Target);
    }

    [Fact]
    public void No_matching_template_is_not_found()
    {
        var table = Table((_get, "/users/{id}", "user"));

        Assert.Equal(RouteMatchKind.NotFound, table.Match("GET", "/orders/1").Kind);
        Assert.Equal(RouteMatchKind.NotFound, table.Match("GET", "/users/").Kind);
        Assert.Equal(RouteMatchKind.NotFound, table.Match("OPTIONS", "/orders/1").Kind);
        Assert.Null(table.Match("GET", "/orders/1").Target);
    }

    [Fact]
    public void A_path_served_for_other_methods_is_method_not_allowed_with_a_sorted_allow_list()
    {
        var table = Table(
            (_get, "/users/{id}", "read"),
            (["PUT", "DELETE"], "/users/{id}", "write"),
            (_post, "/users", "create"));

        var match = table.Match("POST", "/users/1");

        Assert.Equal(RouteMatchKind.MethodNotAllowed, match.Kind);
        Assert.Null(match.Target);
        Assert.Equal(["DELETE", "GET", "HEAD", "OPTIONS", "PUT"], match.AllowedMethods);
    }

    [Fact]
    public void The_allow_list_comes_only_from_templates_that_match_the_path()
    {
        var table = Table((_post, "/users", "create"), (_get, "/users/{id}", "read"));

        var match = table.Match("DELETE", "/users");

        Assert.Equal(RouteMatchKind.MethodNotAllowed, match.Kind);
        Assert.Equal(["OPTIONS", "POST"], match.AllowedMethods);
    }

    [Fact]
    public void Head_is_served_by_a_get_route()
    {
        var table = Table((_get, "/page/{name}", "page"));

        var match = table.Match("HEAD", "/page/home");

        Assert.Equal(RouteMatchKind.Found, match.Kind);
        Assert.Equal("page", match.Target);
        Assert.Equal("home", match.Values["name"]);
    }

    [Fact]
    public void An_explicit_head_route_beats_the_get_fallback()
    {
        var table = Table((_get, "/page/home", "get"), (["HEAD"], "/page/{name}", "head"));

        Assert.Equal("head", table.Match("HEAD", "/page/home").Target);
        Assert.Equal("get", table.Match("GET", "/page/home").Target);
    }

    [Fact]
    public void Head_without_a_get_or_head_route_is_method_not_allowed()
    {
        var table = Table((_post, "/submit", "submit"));

        var match = table.Match("HEAD", "/submit");

        Assert.Equal(RouteMatchKind.MethodNotAllowed, match.Kind);
        Assert.Equal(["OPTIONS", "POST"], match.AllowedMethods);
    }

    [Fact]
    public void A_route_without_a_method_list_serves_every_standard_method_but_no_custom_one()
    {
        var table = Table((null, "/echo", "echo"), (["BREW"], "/pot", "pot"));

        foreach (var method in new[] { "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE" })
        {
            Assert.Equal("echo", table.Match(method, "/echo").Target);
        }

        var brew = table.Match("BREW", "/echo");
        Assert.Equal(RouteMatchKind.MethodNotAllowed, brew.Kind);
        Assert.Equal(["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"], brew.AllowedMethods);
    }

    [Fact]
    public void Options_without_an_options_route_lists_the_allowed_methods()
    {
        var table = Table((_get, "/users/{id}", "read"), (["PATCH"], "/users/{id}", "update"));

        var match = table.Match("OPTIONS", "/users/3");

        Assert.Equal(RouteMatchKind.Options, match.Kind);
        Assert.Null(match.Target);
        Assert.Equal(["GET", "HEAD", "OPTIONS", "PATCH"], match.AllowedMethods);
    }

    [Fact]
    public void An_explicit_options_route_handles_options_itself()
    {
        var table = Table((_get, "/cors", "read"), (["OPTIONS"], "/cors", "preflight"));

        var match = table.Match("OPTIONS", "/cors");

        Assert.Equal(RouteMatchKind.Found, match.Kind);
        Assert.Equal("preflight", match.Target);
    }

    [Fact]
    public void Options_star_lists_every_method_the_server_serves()
    {
        var table = Table((_get, "/a", "a"), (["BREW"], "/pot", "pot"), (["DELETE"], "/b/{id}", "b"));

        var match = table.Match("OPTIONS", "*");

        Assert.Equal(RouteMatchKind.Options, match.Kind);
        Assert.Equal(["BREW", "DELETE", "GET", "HEAD", "OPTIONS"], match.AllowedMethods);
    }

    [Fact]
    public void Options_star_on_an_empty_table_still_allows_options()
    {
        var match = Table().Match("OPTIONS", "*");

        Assert.Equal(RouteMatchKind.Options, match.Kind);
        Assert.Equal(["OPTIONS"], match.AllowedMethods);
    }

    [Theory]
    [InlineData("BREW")]
    [InlineData("CONNECT")]
    [InlineData("get")]
    public void A_method_no_route_names_is_not_implemented_wherever_it_is_aimed(string method)
    {
        var table = Table((_get, "/users", "users"));

        Assert.Equal(RouteMatchKind.NotImplemented, table.Match(method, "/users").Kind);
        Assert.Equal(RouteMatchKind.NotImplemented, table.Match(method, "/nowhere").Kind);
    }

    [Fact]
    public void A_custom_method_declared_by_a_route_is_served_and_known_everywhere()
    {
        var table = Table((["BREW"], "/pot", "coffee"), (_get, "/menu", "menu"));

        Assert.Equal("coffee", table.Match("BREW", "/pot").Target);
        Assert.Equal(RouteMatchKind.NotFound, table.Match("BREW", "/nowhere").Kind);
        var elsewhere = table.Match("BREW", "/menu");
        Assert.Equal(RouteMatchKind.MethodNotAllowed, elsewhere.Kind);
        Assert.Equal(["GET", "HEAD", "OPTIONS"], elsewhere.AllowedMethods);
    }

    [Fact]
    public void Matching_a_route_without_parameters_allocates_nothing()
    {
        var table = Table((_get, "/users/{id}", "user"), (_get, "/health", "health"), (_post, "/users", "create"));
        table.Match("GET", "/health");

        var before = GC.GetAllocatedBytesForCurrentThread();
        var match = table.Match("GET", "/health");
        var notFound = table.Match("GET", "/missing/path");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("health", match.Target);
        Assert.Equal(RouteMatchKind.NotFound, notFound.Kind);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Routes_are_kept_in_registration_order()
    {
        var table = Table((_get, "/{*any}", "fallback"), (_get, "/exact", "exact"));

        Assert.Equal(["/{*any}", "/exact"], table.Routes.Select(r => r.Template));
    }

    [Fact]
    public void An_invalid_template_throws_when_the_table_is_built()
    {
        var error = Assert.Throws<ArgumentException>(() => Table((_get, "/files/{*rest}/x", "files")));

        Assert.Contains("/files/{*rest}/x", error.Message);
    }

    [Theory]
    [InlineData(new string[0], "lists no methods")]
    [InlineData(new[] { "GE T" }, "not a token")]
    [InlineData(new[] { "" }, "not a token")]
    [InlineData(new[] { "CONNECT" }, "CONNECT")]
    public void An_invalid_method_list_throws_when_the_table_is_built(string[] methods, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => Table((methods, "/x", "x")));

        Assert.Contains(reason, error.Message);
    }
}
