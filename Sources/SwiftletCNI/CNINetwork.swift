import Foundation
import SwiftletKube

/// One network configuration list applied to one container, as libcni's `AddNetworkList`,
/// `CheckNetworkList` and `DelNetworkList` do it.
public struct CNINetwork: Sendable {
    public var list: NetworkConfigList
    public var locator: CNIConfigDirectory
    public var executor: CNIExecutor

    public init(list: NetworkConfigList, locator: CNIConfigDirectory, timeoutSeconds: Double = 120) {
        self.list = list
        self.locator = locator
        self.executor = CNIExecutor(binDirectories: locator.binDirectories, timeoutSeconds: timeoutSeconds)
    }

    /// ADD through every plugin in order, each getting the previous one's result as `prevResult`;
    /// the last result is the network's. The first failure stops the chain.
    public func add(_ runtime: CNIRuntimeConf) throws(CNIPluginFailure) -> CNIResult {
        var previous: JSONValue?
        for (i, plugin) in list.plugins.enumerated() {
            do throws(CNIError) {
                let output = try run(.add, i, prevResult: previous, runtime: runtime)
                let tree: JSONValue
                do { tree = try JSONValue.parse(Data(output)) } catch {
                    throw CNIError(code: CNIError.Code.decodingFailure, msg: "failed to parse the plugin's result: \(error)")
                }
                previous = tree
            } catch {
                throw CNIPluginFailure(pluginType: plugin.type, networkName: list.name, operation: .add, error: error)
            }
        }
        guard let previous else {
            throw CNIPluginFailure(
                pluginType: "", networkName: list.name, operation: .add,
                error: CNIError(code: CNIError.Code.invalidNetworkConfig, msg: "no plugins in list"))
        }
        do { return try CNIResult(parsing: previous) } catch {
            throw CNIPluginFailure(pluginType: list.plugins.last?.type ?? "", networkName: list.name, operation: .add, error: error)
        }
    }

    /// CHECK through every plugin in order with the cached ADD result (spec 0.4.0 and later;
    /// skipped for older lists and when the list says `disableCheck`).
    public func check(_ runtime: CNIRuntimeConf, cachedResult: JSONValue?) throws(CNIPluginFailure) {
        guard list.supportsCheck, !list.disableCheck else { return }
        for (i, plugin) in list.plugins.enumerated() {
            do { _ = try run(.check, i, prevResult: cachedResult, runtime: runtime) } catch {
                throw CNIPluginFailure(pluginType: plugin.type, networkName: list.name, operation: .check, error: error)
            }
        }
    }

    /// DEL through every plugin in reverse order. From 0.4.0 on each gets the cached ADD result as
    /// `prevResult`. Plugins treat DEL of something already gone as success, so it can be retried.
    public func delete(_ runtime: CNIRuntimeConf, cachedResult: JSONValue?) throws(CNIPluginFailure) {
        let previous = list.supportsCheck ? cachedResult : nil
        for i in list.plugins.indices.reversed() {
            do { _ = try run(.del, i, prevResult: previous, runtime: runtime) } catch {
                throw CNIPluginFailure(pluginType: list.plugins[i].type, networkName: list.name, operation: .del, error: error)
            }
        }
    }

    func run(_ command: CNICommand, _ index: Int, prevResult: JSONValue?, runtime: CNIRuntimeConf) throws(CNIError) -> [UInt8] {
        let path = try locator.findPlugin(list.plugins[index].type)
        let input = list.pluginInput(index, prevResult: prevResult, capabilityArgs: runtime.capabilityArgs)
        return try executor.invoke(command, plugin: path, input: input, runtime: runtime)
    }
}
