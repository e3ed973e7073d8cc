using System.Text.Json.Nodes;
using ConformanceSuite.Checks;
using FluentAssertions;
using NUnit.Framework;

namespace ConformanceSuite.Tests;

/// <summary>
/// What a walk keeps of an item: the text at each pointer of its projection, as read, and a hash of each top-level
/// field; the id and the values many items share (the schema's enums) are held once for the whole walk.
/// </summary>
[TestFixture]
public sealed class WalkItemTests
{
    private static JsonObject Item(string id, string status, string? channel) =>
        new() { ["id"] = id, ["status"] = status, ["channel"] = new JsonObject { ["type"] = channel }, ["count"] = 3 };

    [Test]
    public void The_kept_texts_are_as_read_and_the_id_and_enum_values_are_held_once()
    {
        var projection = new WalkProjection(["/id", "/status", "/channel/type", "/missing"], ["open", "closed"]);
        // Each item is parsed on its own, as a page's are: equal texts are different strings until the projection shares them.
        var first = JsonNode.Parse(Item("s-1", "open", "web").ToJsonString())!.AsObject();
        var second = JsonNode.Parse(Item("s-2", "open", null).ToJsonString())!.AsObject();
        var odd = JsonNode.Parse(Item("s-3", "archived", "web").ToJsonString())!.AsObject();

        var a = projection.Keep(first, "s-1", 1);
        var b = projection.Keep(second, "s-2", 1);
        var c = projection.Keep(odd, "s-3", 2);

        a.Text("/status").Should().Be("open").And.BeSameAs(b.Text("/status"), "a value of the shared set is held once");
        a.Text("/id").Should().BeSameAs(a.Id, "the id is held once per item");
        c.Text("/status").Should().Be("archived", "a value outside the shared set is kept as read");
        a.Text("/channel/type").Should().Be("web");
        c.Text("/channel/type").Should().Be("web").And.NotBeSameAs(a.Text("/channel/type"), "only the shared set is shared");
        b.Text("/channel/type").Should().BeNull("a JSON null has no text");
        a.Text("/missing").Should().BeNull();
        c.Page.Should().Be(2);
        a.Fields.Select(f => f.Name).Should().Equal("id", "status", "channel", "count");
        a.Fields.Single(f => f.Name == "channel").Hash.Should().Be(WalkItem.HashOf(new JsonObject { ["type"] = "web" }));

        var plain = new WalkProjection(["/status"]);
        plain.Keep(first, "s-1", 1).Text("/status").Should().Be("open").And.NotBeSameAs(plain.Keep(second, "s-2", 1).Text("/status"), "with no shared values, nothing is shared");
    }

    [Test]
    public void A_walk_of_a_contract_shares_the_enum_values_its_item_schema_declares()
    {
        var contract = new Contracts.ContractLoader(Harness.Layout).Load("opencx-chat-sessions");
        var projection = WalkProjection.For(contract, contract.Endpoint("list-sessions"));
        var id = Guid.NewGuid().ToString();

        var one = projection.Keep(JsonNode.Parse($$"""{"id":"{{id}}","status":"closed_resolved","ai_closure_type":"handed_off"}""")!.AsObject(), id, 1);
        var two = projection.Keep(JsonNode.Parse("""{"id":"x","status":"closed_resolved","ai_closure_type":"handed_off"}""")!.AsObject(), "x", 1);

        one.Text("/status").Should().Be("closed_resolved").And.BeSameAs(two.Text("/status"));
        // Not a filter's field: kept only because the item schema declares it an enum.
        one.Text("/ai_closure_type").Should().Be("handed_off").And.BeSameAs(two.Text("/ai_closure_type"));
        one.Text("/id").Should().BeSameAs(one.Id);
    }

    [Test]
    public void Each_item_keeps_its_own_field_names_and_hashes_whatever_layout_came_before_it()
    {
        var projection = new WalkProjection(["/id"]);
        JsonObject Parsed(string json) => JsonNode.Parse(json)!.AsObject();
        (string Name, ulong Hash)[] Expected(JsonObject item) => [.. item.Select(kv => (kv.Key, WalkItem.HashOf(kv.Value)))];

        // Alike, then another order of the same names, fewer, more, a renamed one, and back to the first layout.
        string[] items =
        [
            """{"id":"1","a":1,"b":"x"}""",
            """{"id":"2","a":2,"b":"y"}""",
            """{"id":"3","b":"y","a":2}""",
            """{"id":"4","a":2}""",
            """{"id":"5","a":2,"b":"y","c":null}""",
            """{"id":"6","a":2,"B":"y"}""",
            """{"id":"7","a":1,"b":"x"}""",
            """{}""",
        ];
        var kept = items.Select((json, i) => (Item: Parsed(json), Kept: projection.Keep(Parsed(json), $"{i}", 1))).ToList();

        foreach (var (item, walkItem) in kept)
        {
            walkItem.Fields.Should().Equal(Expected(item), $"{item.ToJsonString()} is kept as it is");
        }

        kept[0].Kept.Fields.Skip(1).Should().Equal(kept[6].Kept.Fields.Skip(1), "equal fields, laid out alike, are kept equal");
        kept[1].Kept.Fields.Should().NotEqual(kept[2].Kept.Fields, "the order of the fields is part of what is kept");
    }
}
