// @ts-nocheck
// Which domain's users can authenticate to which domain's resources, from the trusts
// read, honouring direction and transitivity: inside a forest everything is transitive;
// a forest trust reaches every domain of both forests but never a third forest; an
// external trust links exactly its two domains. The walk follows the Kerberos referral
// process of Microsoft's "How Domain and Forest Trusts Work".
function stryNS_9fa48() {
  var g = typeof globalThis === 'object' && globalThis && globalThis.Math === Math && globalThis || new Function("return this")();
  var ns = g.__stryker__ || (g.__stryker__ = {});
  if (ns.activeMutant === undefined && g.process && g.process.env && g.process.env.__STRYKER_ACTIVE_MUTANT__) {
    ns.activeMutant = g.process.env.__STRYKER_ACTIVE_MUTANT__;
  }
  function retrieveNS() {
    return ns;
  }
  stryNS_9fa48 = retrieveNS;
  return retrieveNS();
}
stryNS_9fa48();
function stryCov_9fa48() {
  var ns = stryNS_9fa48();
  var cov = ns.mutantCoverage || (ns.mutantCoverage = {
    static: {},
    perTest: {}
  });
  function cover() {
    var c = cov.static;
    if (ns.currentTestId) {
      c = cov.perTest[ns.currentTestId] = cov.perTest[ns.currentTestId] || {};
    }
    var a = arguments;
    for (var i = 0; i < a.length; i++) {
      c[a[i]] = (c[a[i]] || 0) + 1;
    }
  }
  stryCov_9fa48 = cover;
  cover.apply(null, arguments);
}
function stryMutAct_9fa48(id) {
  var ns = stryNS_9fa48();
  function isActive(id) {
    if (ns.activeMutant === id) {
      if (ns.hitCount !== void 0 && ++ns.hitCount > ns.hitLimit) {
        throw new Error('Stryker: Hit count limit reached (' + ns.hitCount + ')');
      }
      return true;
    }
    return false;
  }
  stryMutAct_9fa48 = isActive;
  return isActive(id);
}
import type { TrustKind } from './trust-rules.js';

/** `trusting` trusts `trusted`: users of `trusted` may use resources of `trusting`. */
export interface TrustEdge {
  trusting: string;
  trusted: string;
  kind: TrustKind;
}
export interface Hop {
  /** The KDC that acts at this step. */
  at: string;
  says: string;
}
export type PathResult = {
  available: true;
  hops: Hop[];
} | {
  available: false;
  hops: Hop[];
  brokenAt: string;
  reason: string;
};
export interface TrustGraph {
  edges: TrustEdge[];
  /** Forest root of each domain; a domain not listed is its own forest root. */
  forestOf: (domain: string) => string;
}
function realm(domain: string): string {
  if (stryMutAct_9fa48("0")) {
    {}
  } else {
    stryCov_9fa48("0");
    return stryMutAct_9fa48("1") ? domain.toLowerCase() : (stryCov_9fa48("1"), domain.toUpperCase());
  }
}
function describeEdge(edge: TrustEdge): string {
  if (stryMutAct_9fa48("2")) {
    {}
  } else {
    stryCov_9fa48("2");
    return stryMutAct_9fa48("3") ? `` : (stryCov_9fa48("3"), `${edge.trusting} trusts ${edge.trusted} (${edge.kind.replace(stryMutAct_9fa48("4") ? "" : (stryCov_9fa48("4"), '_'), stryMutAct_9fa48("5") ? "" : (stryCov_9fa48("5"), ' '))} trust)`);
  }
}

/** Can users of `from` authenticate to resources in `to`, and through which referrals? */
export function findPath(graph: TrustGraph, from: string, to: string): PathResult {
  if (stryMutAct_9fa48("6")) {
    {}
  } else {
    stryCov_9fa48("6");
    const fromForest = graph.forestOf(from);
    const toForest = graph.forestOf(to);
    const hops: Hop[] = stryMutAct_9fa48("7") ? [] : (stryCov_9fa48("7"), [stryMutAct_9fa48("8") ? {} : (stryCov_9fa48("8"), {
      at: from,
      says: stryMutAct_9fa48("9") ? `` : (stryCov_9fa48("9"), `a user of ${from} asks the KDC of ${from} for a ticket to a service in ${to}`)
    })]);
    if (stryMutAct_9fa48("12") ? from !== to : stryMutAct_9fa48("11") ? false : stryMutAct_9fa48("10") ? true : (stryCov_9fa48("10", "11", "12"), from === to)) return stryMutAct_9fa48("13") ? {} : (stryCov_9fa48("13"), {
      available: stryMutAct_9fa48("14") ? false : (stryCov_9fa48("14"), true),
      hops: stryMutAct_9fa48("15") ? [] : (stryCov_9fa48("15"), [...hops, stryMutAct_9fa48("16") ? {} : (stryCov_9fa48("16"), {
        at: to,
        says: stryMutAct_9fa48("17") ? `` : (stryCov_9fa48("17"), `${to} is the user's own domain: the KDC issues the service ticket`)
      })])
    });
    if (stryMutAct_9fa48("20") ? fromForest !== toForest : stryMutAct_9fa48("19") ? false : stryMutAct_9fa48("18") ? true : (stryCov_9fa48("18", "19", "20"), fromForest === toForest)) {
      if (stryMutAct_9fa48("21")) {
        {}
      } else {
        stryCov_9fa48("21");
        hops.push(stryMutAct_9fa48("22") ? {} : (stryCov_9fa48("22"), {
          at: from,
          says: stryMutAct_9fa48("23") ? `` : (stryCov_9fa48("23"), `${to} is in the same forest (${fromForest}): the KDC refers the client along the forest's own transitive trusts`)
        }));
        hops.push(stryMutAct_9fa48("24") ? {} : (stryCov_9fa48("24"), {
          at: to,
          says: stryMutAct_9fa48("25") ? `` : (stryCov_9fa48("25"), `the KDC of ${to} issues the service ticket`)
        }));
        return stryMutAct_9fa48("26") ? {} : (stryCov_9fa48("26"), {
          available: stryMutAct_9fa48("27") ? false : (stryCov_9fa48("27"), true),
          hops
        });
      }
    }
    const direct = graph.edges.find(stryMutAct_9fa48("28") ? () => undefined : (stryCov_9fa48("28"), edge => stryMutAct_9fa48("31") ? edge.trusting === to || edge.trusted === from : stryMutAct_9fa48("30") ? false : stryMutAct_9fa48("29") ? true : (stryCov_9fa48("29", "30", "31"), (stryMutAct_9fa48("33") ? edge.trusting !== to : stryMutAct_9fa48("32") ? true : (stryCov_9fa48("32", "33"), edge.trusting === to)) && (stryMutAct_9fa48("35") ? edge.trusted !== from : stryMutAct_9fa48("34") ? true : (stryCov_9fa48("34", "35"), edge.trusted === from)))));
    if (stryMutAct_9fa48("38") ? direct !== undefined || direct.kind !== 'forest' : stryMutAct_9fa48("37") ? false : stryMutAct_9fa48("36") ? true : (stryCov_9fa48("36", "37", "38"), (stryMutAct_9fa48("40") ? direct === undefined : stryMutAct_9fa48("39") ? true : (stryCov_9fa48("39", "40"), direct !== undefined)) && (stryMutAct_9fa48("42") ? direct.kind === 'forest' : stryMutAct_9fa48("41") ? true : (stryCov_9fa48("41", "42"), direct.kind !== (stryMutAct_9fa48("43") ? "" : (stryCov_9fa48("43"), 'forest')))))) {
      if (stryMutAct_9fa48("44")) {
        {}
      } else {
        stryCov_9fa48("44");
        hops.push(stryMutAct_9fa48("45") ? {} : (stryCov_9fa48("45"), {
          at: from,
          says: stryMutAct_9fa48("46") ? `` : (stryCov_9fa48("46"), `${describeEdge(direct)}: the KDC gives a referral ticket krbtgt/${realm(to)}@${realm(from)}`)
        }));
        hops.push(stryMutAct_9fa48("47") ? {} : (stryCov_9fa48("47"), {
          at: to,
          says: stryMutAct_9fa48("48") ? `` : (stryCov_9fa48("48"), `the KDC of ${to} accepts the referral and issues the service ticket`)
        }));
        return stryMutAct_9fa48("49") ? {} : (stryCov_9fa48("49"), {
          available: stryMutAct_9fa48("50") ? false : (stryCov_9fa48("50"), true),
          hops
        });
      }
    }
    const forestTrust = graph.edges.find(stryMutAct_9fa48("51") ? () => undefined : (stryCov_9fa48("51"), edge => stryMutAct_9fa48("54") ? edge.kind === 'forest' && edge.trusting === toForest || edge.trusted === fromForest : stryMutAct_9fa48("53") ? false : stryMutAct_9fa48("52") ? true : (stryCov_9fa48("52", "53", "54"), (stryMutAct_9fa48("56") ? edge.kind === 'forest' || edge.trusting === toForest : stryMutAct_9fa48("55") ? true : (stryCov_9fa48("55", "56"), (stryMutAct_9fa48("58") ? edge.kind !== 'forest' : stryMutAct_9fa48("57") ? true : (stryCov_9fa48("57", "58"), edge.kind === (stryMutAct_9fa48("59") ? "" : (stryCov_9fa48("59"), 'forest')))) && (stryMutAct_9fa48("61") ? edge.trusting !== toForest : stryMutAct_9fa48("60") ? true : (stryCov_9fa48("60", "61"), edge.trusting === toForest)))) && (stryMutAct_9fa48("63") ? edge.trusted !== fromForest : stryMutAct_9fa48("62") ? true : (stryCov_9fa48("62", "63"), edge.trusted === fromForest)))));
    if (stryMutAct_9fa48("66") ? forestTrust === undefined : stryMutAct_9fa48("65") ? false : stryMutAct_9fa48("64") ? true : (stryCov_9fa48("64", "65", "66"), forestTrust !== undefined)) {
      if (stryMutAct_9fa48("67")) {
        {}
      } else {
        stryCov_9fa48("67");
        if (stryMutAct_9fa48("70") ? from === fromForest : stryMutAct_9fa48("69") ? false : stryMutAct_9fa48("68") ? true : (stryCov_9fa48("68", "69", "70"), from !== fromForest)) hops.push(stryMutAct_9fa48("71") ? {} : (stryCov_9fa48("71"), {
          at: from,
          says: stryMutAct_9fa48("72") ? `` : (stryCov_9fa48("72"), `${to} is outside this forest: the KDC refers the client up to the forest root ${fromForest}`)
        }));
        hops.push(stryMutAct_9fa48("73") ? {} : (stryCov_9fa48("73"), {
          at: fromForest,
          says: stryMutAct_9fa48("74") ? `` : (stryCov_9fa48("74"), `the global catalog matches ${to} against the names of forest ${toForest} in the forest trust (${describeEdge(forestTrust)}): referral ticket krbtgt/${realm(toForest)}@${realm(fromForest)}`)
        }));
        if (stryMutAct_9fa48("77") ? to === toForest : stryMutAct_9fa48("76") ? false : stryMutAct_9fa48("75") ? true : (stryCov_9fa48("75", "76", "77"), to !== toForest)) hops.push(stryMutAct_9fa48("78") ? {} : (stryCov_9fa48("78"), {
          at: toForest,
          says: stryMutAct_9fa48("79") ? `` : (stryCov_9fa48("79"), `the forest root refers the client down to ${to}`)
        }));
        hops.push(stryMutAct_9fa48("80") ? {} : (stryCov_9fa48("80"), {
          at: to,
          says: stryMutAct_9fa48("81") ? `` : (stryCov_9fa48("81"), `the KDC of ${to} issues the service ticket`)
        }));
        return stryMutAct_9fa48("82") ? {} : (stryCov_9fa48("82"), {
          available: stryMutAct_9fa48("83") ? false : (stryCov_9fa48("83"), true),
          hops
        });
      }
    }
    return stryMutAct_9fa48("84") ? {} : (stryCov_9fa48("84"), {
      available: stryMutAct_9fa48("85") ? true : (stryCov_9fa48("85"), false),
      hops,
      brokenAt: from,
      reason: whyNot(graph, from, to, fromForest, toForest)
    });
  }
}
function whyNot(graph: TrustGraph, from: string, to: string, fromForest: string, toForest: string): string {
  if (stryMutAct_9fa48("86")) {
    {}
  } else {
    stryCov_9fa48("86");
    const reasons: string[] = stryMutAct_9fa48("87") ? ["Stryker was here"] : (stryCov_9fa48("87"), []);
    const reverse = stryMutAct_9fa48("88") ? graph.edges.find(edge => edge.trusting === from && edge.trusted === to) && graph.edges.find(edge => edge.kind === 'forest' && edge.trusting === fromForest && edge.trusted === toForest) : (stryCov_9fa48("88"), graph.edges.find(stryMutAct_9fa48("89") ? () => undefined : (stryCov_9fa48("89"), edge => stryMutAct_9fa48("92") ? edge.trusting === from || edge.trusted === to : stryMutAct_9fa48("91") ? false : stryMutAct_9fa48("90") ? true : (stryCov_9fa48("90", "91", "92"), (stryMutAct_9fa48("94") ? edge.trusting !== from : stryMutAct_9fa48("93") ? true : (stryCov_9fa48("93", "94"), edge.trusting === from)) && (stryMutAct_9fa48("96") ? edge.trusted !== to : stryMutAct_9fa48("95") ? true : (stryCov_9fa48("95", "96"), edge.trusted === to))))) ?? graph.edges.find(stryMutAct_9fa48("97") ? () => undefined : (stryCov_9fa48("97"), edge => stryMutAct_9fa48("100") ? edge.kind === 'forest' && edge.trusting === fromForest || edge.trusted === toForest : stryMutAct_9fa48("99") ? false : stryMutAct_9fa48("98") ? true : (stryCov_9fa48("98", "99", "100"), (stryMutAct_9fa48("102") ? edge.kind === 'forest' || edge.trusting === fromForest : stryMutAct_9fa48("101") ? true : (stryCov_9fa48("101", "102"), (stryMutAct_9fa48("104") ? edge.kind !== 'forest' : stryMutAct_9fa48("103") ? true : (stryCov_9fa48("103", "104"), edge.kind === (stryMutAct_9fa48("105") ? "" : (stryCov_9fa48("105"), 'forest')))) && (stryMutAct_9fa48("107") ? edge.trusting !== fromForest : stryMutAct_9fa48("106") ? true : (stryCov_9fa48("106", "107"), edge.trusting === fromForest)))) && (stryMutAct_9fa48("109") ? edge.trusted !== toForest : stryMutAct_9fa48("108") ? true : (stryCov_9fa48("108", "109"), edge.trusted === toForest))))));
    if (stryMutAct_9fa48("112") ? reverse === undefined : stryMutAct_9fa48("111") ? false : stryMutAct_9fa48("110") ? true : (stryCov_9fa48("110", "111", "112"), reverse !== undefined)) {
      if (stryMutAct_9fa48("113")) {
        {}
      } else {
        stryCov_9fa48("113");
        reasons.push(stryMutAct_9fa48("114") ? `` : (stryCov_9fa48("114"), `the trust runs the other way: ${describeEdge(reverse)}, so users of ${reverse.trusted} may use ${reverse.trusting}, not the reverse`));
      }
    } else {
      if (stryMutAct_9fa48("115")) {
        {}
      } else {
        stryCov_9fa48("115");
        reasons.push(stryMutAct_9fa48("116") ? `` : (stryCov_9fa48("116"), `${to} (forest ${toForest}) has no trust in which it trusts ${from} or its forest ${fromForest}`));
      }
    }
    // A forest trust is not transitive to a third forest, and an external trust not at all.
    const middle = stryMutAct_9fa48("117") ? graph.edges.find(first => graph.edges.some(second => second.trusting === graph.forestOf(first.trusted) && second.trusted === fromForest)) : (stryCov_9fa48("117"), graph.edges.filter(stryMutAct_9fa48("118") ? () => undefined : (stryCov_9fa48("118"), first => stryMutAct_9fa48("121") ? first.trusting === toForest || first.trusted !== fromForest : stryMutAct_9fa48("120") ? false : stryMutAct_9fa48("119") ? true : (stryCov_9fa48("119", "120", "121"), (stryMutAct_9fa48("123") ? first.trusting !== toForest : stryMutAct_9fa48("122") ? true : (stryCov_9fa48("122", "123"), first.trusting === toForest)) && (stryMutAct_9fa48("125") ? first.trusted === fromForest : stryMutAct_9fa48("124") ? true : (stryCov_9fa48("124", "125"), first.trusted !== fromForest))))).find(stryMutAct_9fa48("126") ? () => undefined : (stryCov_9fa48("126"), first => stryMutAct_9fa48("127") ? graph.edges.every(second => second.trusting === graph.forestOf(first.trusted) && second.trusted === fromForest) : (stryCov_9fa48("127"), graph.edges.some(stryMutAct_9fa48("128") ? () => undefined : (stryCov_9fa48("128"), second => stryMutAct_9fa48("131") ? second.trusting === graph.forestOf(first.trusted) || second.trusted === fromForest : stryMutAct_9fa48("130") ? false : stryMutAct_9fa48("129") ? true : (stryCov_9fa48("129", "130", "131"), (stryMutAct_9fa48("133") ? second.trusting !== graph.forestOf(first.trusted) : stryMutAct_9fa48("132") ? true : (stryCov_9fa48("132", "133"), second.trusting === graph.forestOf(first.trusted))) && (stryMutAct_9fa48("135") ? second.trusted !== fromForest : stryMutAct_9fa48("134") ? true : (stryCov_9fa48("134", "135"), second.trusted === fromForest)))))))));
    if (stryMutAct_9fa48("138") ? middle === undefined : stryMutAct_9fa48("137") ? false : stryMutAct_9fa48("136") ? true : (stryCov_9fa48("136", "137", "138"), middle !== undefined)) {
      if (stryMutAct_9fa48("139")) {
        {}
      } else {
        stryCov_9fa48("139");
        reasons.push(stryMutAct_9fa48("140") ? `` : (stryCov_9fa48("140"), `${toForest} trusts ${middle.trusted} and ${middle.trusted} trusts ${fromForest}, but trusts between forests are not transitive through a third forest`));
      }
    }
    return reasons.join(stryMutAct_9fa48("141") ? "" : (stryCov_9fa48("141"), '; '));
  }
}

/** The referral chain as lines a person reads, for `probe path FROM TO`. */
export function describePath(from: string, to: string, result: PathResult): string {
  if (stryMutAct_9fa48("142")) {
    {}
  } else {
    stryCov_9fa48("142");
    const lines = stryMutAct_9fa48("143") ? [] : (stryCov_9fa48("143"), [stryMutAct_9fa48("144") ? `` : (stryCov_9fa48("144"), `users of ${from} -> resources in ${to}: ${result.available ? stryMutAct_9fa48("145") ? "" : (stryCov_9fa48("145"), 'available') : stryMutAct_9fa48("146") ? "" : (stryCov_9fa48("146"), 'NOT available')}`)]);
    result.hops.forEach(stryMutAct_9fa48("147") ? () => undefined : (stryCov_9fa48("147"), (hop, index) => lines.push(stryMutAct_9fa48("148") ? `` : (stryCov_9fa48("148"), `  ${stryMutAct_9fa48("149") ? index - 1 : (stryCov_9fa48("149"), index + 1)}. [${hop.at}] ${hop.says}`))));
    if (stryMutAct_9fa48("152") ? false : stryMutAct_9fa48("151") ? true : stryMutAct_9fa48("150") ? result.available : (stryCov_9fa48("150", "151", "152"), !result.available)) lines.push(stryMutAct_9fa48("153") ? `` : (stryCov_9fa48("153"), `  ${stryMutAct_9fa48("154") ? result.hops.length - 1 : (stryCov_9fa48("154"), result.hops.length + 1)}. [${result.brokenAt}] breaks here: ${result.reason}`));
    return lines.join(stryMutAct_9fa48("155") ? "" : (stryCov_9fa48("155"), '\n'));
  }
}