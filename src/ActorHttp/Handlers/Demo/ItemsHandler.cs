using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json.Serialization;
using ActorHttp.Handlers.Json;
using ActorHttp.Protocol;

namespace ActorHttp.Handlers.Demo;

/// <summary>
/// <c>/api/items</c> and <c>/api/items/{id}</c>: a small JSON API whose items live in this actor's
/// memory. One instance serves the route, so its state needs no lock.
/// </summary>
public sealed class ItemsHandler : JsonHandlerActor
{
    private readonly SortedDictionary<int, Item> _items = [];
    private int _nextId = 1;

    protected override void OnRequest(RequestContext context)
    {
        var request = context.Request;
        var rest = request.RouteValues.TryGetValue("rest", out var value) ? value : string.Empty;
        context.Respond(rest.Length == 0 ? Collection(request) : Member(request, rest));
    }

    private HttpResponse Collection(HttpRequest request) => request.Method switch
    {
        "GET" or "HEAD" => Ok(_items.Values.ToList(), ItemsJsonContext.Default.ListItem),
        "POST" => Create(request),
        _ => MethodNotAllowed(request.Method, "GET", "HEAD", "POST"),
    };

    private HttpResponse Member(HttpRequest request, string rest)
    {
        if (!int.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return NotFound($"No item at {ErrorText.Printable(request.Path)}.");
        }

        return request.Method switch
        {
            "GET" or "HEAD" => _items.TryGetValue(id, out var item) ? Ok(item, ItemsJsonContext.Default.Item) : NotFound($"No item {id}."),
            "PUT" => Replace(request, id),
            "DELETE" => _items.Remove(id) ? NoContent() : NotFound($"No item {id}."),
            _ => MethodNotAllowed(request.Method, "DELETE", "GET", "HEAD", "PUT"),
        };
    }

    private HttpResponse Create(HttpRequest request)
    {
        if (!TryReadValid(request, out var input, out var problem))
        {
            return problem;
        }

        var item = new Item(_nextId++, input.Name!, input.Price!.Value);
        _items[item.Id] = item;
        return Created($"/api/items/{item.Id}", item, ItemsJsonContext.Default.Item);
    }

    private HttpResponse Replace(HttpRequest request, int id)
    {
        if (!_items.ContainsKey(id))
        {
            return NotFound($"No item {id}.");
        }

        if (!TryReadValid(request, out var input, out var problem))
        {
            return problem;
        }

        var item = new Item(id, input.Name!, input.Price!.Value);
        _items[id] = item;
        return Ok(item, ItemsJsonContext.Default.Item);
    }

    private static bool TryReadValid(HttpRequest request, [NotNullWhen(true)] out ItemInput? input, [NotNullWhen(false)] out HttpResponse? problem)
    {
        if (!TryReadBody(request, ItemsJsonContext.Default.ItemInput, out input, out problem))
        {
            return false;
        }

        problem = string.IsNullOrWhiteSpace(input.Name) ? BadRequest("name is required and must not be empty.", "name")
            : input.Price is null ? BadRequest("price is required.", "price")
            : input.Price < 0 ? BadRequest("price must not be negative.", "price")
            : null;
        return problem is null;
    }
}

public sealed record Item(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("price")] decimal Price);

public sealed record ItemInput(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("price")] decimal? Price);

[JsonSerializable(typeof(Item))]
[JsonSerializable(typeof(List<Item>))]
[JsonSerializable(typeof(ItemInput))]
internal sealed partial class ItemsJsonContext : JsonSerializerContext;
