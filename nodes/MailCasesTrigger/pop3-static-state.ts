import type { IDataObject } from 'n8n-workflow';
import { emptyPop3State, type Pop3State } from '../../lib/protocols/pop3/pop3-source';

/**
 * The POP3 source's memory in the node's static data, and a function that marks it changed.
 *
 * n8n saves static data when the trigger emits a run (and after activation), but only if it was
 * marked changed, and it marks only assignments to objects it wrapped when the workflow was
 * loaded: counts written into a state object created in this activation would never be saved.
 * Assigning the state to its property again marks it, whichever object it is (issue #11.3).
 */
export function pop3StaticState(staticData: IDataObject & { pop3?: Pop3State }): {
	state: Pop3State;
	changed: () => void;
} {
	staticData.pop3 ??= emptyPop3State();
	return {
		state: staticData.pop3,
		changed: () => void Reflect.set(staticData, 'pop3', staticData.pop3),
	};
}
